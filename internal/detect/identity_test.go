package detect_test

import "testing"

func TestPasswordSpray(t *testing.T)        { runCases(t, "password-spray") }
func TestBruteForceSuccess(t *testing.T)    { runCases(t, "brute-force-success") }
func TestMaliciousIpActivity(t *testing.T)  { runCases(t, "malicious-ip-activity") }
func TestMassResourceDeletion(t *testing.T) { runCases(t, "mass-resource-deletion") }
