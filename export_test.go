package ccql

// WithCredentialsHintForTest exposes withCredentialsHint to the black-box tests.
var WithCredentialsHintForTest = withCredentialsHint
