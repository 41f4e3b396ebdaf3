//go:build !amd64 || purego

package normalize

// plainVariants are the forms of plainString there are: here the Go one.
func plainVariants() (map[string]func([]byte, int) (int, bool), []string) {
	return map[string]func([]byte, int) (int, bool){"plainString": plainString}, nil
}
