package safety

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion, substitution or swap of adjacent letters (the optimal string
// alignment distance is at most 1). Words are ASCII after folding.
func withinOneEdit(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	if la-lb > 1 || lb-la > 1 {
		return false
	}
	i := 0
	for i < la && i < lb && a[i] == b[i] {
		i++
	}
	switch {
	case la == lb:
		// one substitution, or one swap of neighbours
		if a[i+1:] == b[i+1:] {
			return true
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case la > lb:
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}

// stemWithinOneEdit reports whether w starts with stem but for one typo
// ("brething" for "breath*"): a prefix of w one letter shorter, as long or
// one longer than the stem is within one edit of it.
func stemWithinOneEdit(stem, w string) bool {
	for n := len(stem) - 1; n <= len(stem)+1; n++ {
		if n <= len(w) && withinOneEdit(stem, w[:n]) {
			return true
		}
	}
	return false
}
