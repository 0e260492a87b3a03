package config

import (
	"crypto/sha256"
	"encoding/hex"

	"go.yaml.in/yaml/v3"
)

// Hash is the hex SHA-256 of c as ventd understands it: marshalled with
// every default filled in, so comments, layout, key order and defaults
// written out or left out do not change it, and any change of meaning
// does. The journal records it with each configuration change. A later
// ventd with new settings hashes the same file differently, which is
// right: the configuration it runs is different.
func (c *Config) Hash() string {
	out, err := yaml.Marshal(c)
	if err != nil {
		panic("config: marshal for Hash: " + err.Error()) // only plain types: a build mistake
	}
	sum := sha256.Sum256(out)
	return hex.EncodeToString(sum[:])
}
