package cognito

// moreOperations are the operations of issue 17's settings group: tags,
// client-secret rotation, log delivery, UI customization, the import CSV
// header, risk configuration and the SAML signing certificate.
func moreOperations() map[string]Operation {
	return map[string]Operation{
		"TagResource":         opTagResource,
		"UntagResource":       opUntagResource,
		"ListTagsForResource": opListTagsForResource,

		"GetLogDeliveryConfiguration": opGetLogDeliveryConfiguration,
		"SetLogDeliveryConfiguration": opSetLogDeliveryConfiguration,
		"GetUICustomization":          opGetUICustomization,
		"SetUICustomization":          opSetUICustomization,
		"GetCSVHeader":                opGetCSVHeader,
		"DescribeRiskConfiguration":   opDescribeRiskConfiguration,
		"SetRiskConfiguration":        opSetRiskConfiguration,
		"GetSigningCertificate":       opGetSigningCertificate,

		"AddUserPoolClientSecret":    opAddUserPoolClientSecret,
		"ListUserPoolClientSecrets":  opListUserPoolClientSecrets,
		"DeleteUserPoolClientSecret": opDeleteUserPoolClientSecret,

		"CreateUserImportJob":   opCreateUserImportJob,
		"DescribeUserImportJob": opDescribeUserImportJob,
		"ListUserImportJobs":    opListUserImportJobs,
		"StartUserImportJob":    opStartUserImportJob,
		"StopUserImportJob":     opStopUserImportJob,

		"CreateTerms":   opCreateTerms,
		"DescribeTerms": opDescribeTerms,
		"ListTerms":     opListTerms,
		"UpdateTerms":   opUpdateTerms,
		"DeleteTerms":   opDeleteTerms,

		"CreateManagedLoginBranding":           opCreateManagedLoginBranding,
		"DescribeManagedLoginBranding":         opDescribeManagedLoginBranding,
		"DescribeManagedLoginBrandingByClient": opDescribeManagedLoginBrandingByClient,
		"UpdateManagedLoginBranding":           opUpdateManagedLoginBranding,
		"DeleteManagedLoginBranding":           opDeleteManagedLoginBranding,

		"SetUserSettings":      opSetUserSettings,
		"AdminSetUserSettings": opAdminSetUserSettings,

		"AdminLinkProviderForUser":    opAdminLinkProviderForUser,
		"AdminDisableProviderForUser": opAdminDisableProviderForUser,

		"GetUserAuthFactors": opGetUserAuthFactors,
	}
}
