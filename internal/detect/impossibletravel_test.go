package detect_test

import "testing"

func TestImpossibleTravel(t *testing.T) { runCases(t, "impossible-travel") }
