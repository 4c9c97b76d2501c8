package binding

import "strings"

// ParseDialled splits what a courier dialled into the virtual number and an
// extension: "17012345678-0123" and "17012345678*0123" both give
// ("17012345678", "0123"). A string without a separator is all number.
// Visual separators inside the number itself are not supported: trunks send
// digits.
func ParseDialled(dialled string) (x, ext string) {
	dialled = strings.TrimSpace(dialled)
	if i := strings.IndexAny(dialled, "-*"); i > 0 {
		return dialled[:i], dialled[i+1:]
	}
	return dialled, ""
}

// validExtension reports whether ext is 1 to n digits.
func validExtension(ext string, n int) bool {
	return allDigits(ext, n)
}
