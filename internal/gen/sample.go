package gen

// SampleConfig is the small month shipped as testdata/sample: 40 users over
// 14 days at a tenth of the realistic volume, with a few attacks after the
// 7-day learning periods.
func SampleConfig() Config {
	c := DefaultConfig()
	c.Users, c.Days, c.Density = 40, 14, 0.1
	return c
}

// GenerateSample writes the sample into dir.
func GenerateSample(dir string) error {
	_, err := Generate(dir, SampleConfig())
	return err
}
