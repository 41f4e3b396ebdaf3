package detect_test

import "testing"

func TestPersistenceTechnique(t *testing.T) { runCases(t, "persistence-technique") }
