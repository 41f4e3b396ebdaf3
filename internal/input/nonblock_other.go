//go:build !unix

package input

// nonBlock: FIFOs are a Unix matter.
const nonBlock = 0
