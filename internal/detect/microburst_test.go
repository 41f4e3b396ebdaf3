package detect_test

import "testing"

func TestMicroBurst(t *testing.T) { runCases(t, "microburst") }
