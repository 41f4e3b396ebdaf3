package detect_test

import "testing"

func TestInactiveAccount(t *testing.T) { runCases(t, "inactive-account-persistence") }
