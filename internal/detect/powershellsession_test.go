package detect_test

import "testing"

func TestPowerShellPersistence(t *testing.T) { runCases(t, "powershell-persistence") }
