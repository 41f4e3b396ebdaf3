package detect_test

import "testing"

func TestInfrequentCountry(t *testing.T) { runCases(t, "infrequent-country") }
