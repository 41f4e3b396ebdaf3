package detect_test

import "testing"

func TestAzurite(t *testing.T) { runCases(t, "azurite") }
