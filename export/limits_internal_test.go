package export

// SetMaxSamples lowers the OpenMetrics bound for a test, so that an export
// at the bound takes milliseconds; the returned func puts it back.
func SetMaxSamples(n int) (restore func()) {
	old := maxSamples
	maxSamples = n
	return func() { maxSamples = old }
}
