package ccql

// WithCredentialsHintForTest exposes withCredentialsHint to the black-box tests.
var WithCredentialsHintForTest = withCredentialsHint

// PeakRowsHeldForTest is the most provider rows any one statement's
// virtual-table cursors and scan caches held at once (vtable.DB.PeakRowsHeld).
func PeakRowsHeldForTest(e *Engine) int64 { return e.db.PeakRowsHeld() }

// RowsBufferedForTest is the number of rows r holds read ahead.
func RowsBufferedForTest(r *Rows) int { return len(r.ahead) }
