package room

// UseReference makes r step its air with the previous algorithm
// (reference_test.go), for the external tests that compare the two.
var UseReference = useReference

// RelDiff is |a − b| relative to the larger of the two.
var RelDiff = relDiff

// UseFreshDecay makes r take the warmth's and the fans' decays anew every
// step.
func UseFreshDecay(r *Room) { r.freshDecay = true }
