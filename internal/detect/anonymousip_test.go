package detect_test

import "testing"

func TestAnonymousIP(t *testing.T) { runCases(t, "anonymous-ip") }
