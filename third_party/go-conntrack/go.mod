module github.com/mwitkow/go-conntrack
