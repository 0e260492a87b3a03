package config

import (
	"strconv"
	"strings"
)

// nearest returns the option nearest to s, if one is near enough to be a
// typo of it; the usual mistakes are typos and camelCase for snake_case.
func nearest(s string, options []string) (string, bool) {
	if len(s) > 64 {
		return "", false // no typo of a key or a name; and the distance costs len(s)²
	}
	best, bestDist := "", 1<<30
	for _, o := range options {
		if d := distance(squash(s), squash(o)); d < bestDist {
			best, bestDist = o, d
		}
	}
	return best, best != "" && bestDist <= max(2, len(s)/3)
}

// Nearest is the option s is probably a typo of, if one is near enough:
// for names outside a config file too, like ventd's flags.
func Nearest(s string, options []string) (string, bool) { return nearest(s, options) }

// suggest says which option was probably meant, or lists them all.
func suggest(s string, options []string) string {
	if o, ok := nearest(s, options); ok {
		return "did you mean " + strconv.Quote(o) + "?"
	}
	// Each once: a name given twice (a mistake reported on its own) is
	// one option.
	seen := map[string]bool{}
	var list []string
	for _, o := range options {
		if !seen[o] {
			seen[o] = true
			list = append(list, o)
		}
	}
	return "expected one of: " + strings.Join(list, ", ")
}

// squash folds case and separators so frequencyHz matches frequency_hz.
func squash(s string) string {
	return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// didYouMean is "; did you mean X?" for a mistyped enum value, or "".
func didYouMean[T ~string](s string, options []T) string {
	opts := make([]string, len(options))
	for i, o := range options {
		opts[i] = string(o)
	}
	if o, ok := nearest(s, opts); ok {
		return "; did you mean " + strconv.Quote(o) + "?"
	}
	return ""
}
