package cognito

// IssueCodeForTest stores an authorization code as a completed sign-in
// would, so that the token endpoint's code checks can be tested apart from
// sign-in.
func (o *OAuth) IssueCodeForTest(account, region, poolID, clientID, redirectURI, challenge, username string, scopes []string) (string, error) {
	return o.putCode(&authCode{
		ref:      poolRef{account: account, region: region, poolID: poolID},
		clientID: clientID, redirectURI: redirectURI, scopes: scopes, challenge: challenge,
		user: signedInUser{Username: username, AuthTime: o.cfg.Now().Unix()},
	})
}
