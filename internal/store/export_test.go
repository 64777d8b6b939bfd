package store

// ModelsAfterSQL exposes the paging query to the test of its plan.
var ModelsAfterSQL = modelsAfterSQL
