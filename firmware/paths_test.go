package firmware

import (
	"testing"

	"github.com/ventd/ventd/config"
)

// Messages on the Pi name the files where the package installs them (a
// Pi has no source tree): the example configuration and the boot config
// lines. The package puts them under SharePath.
func TestMessagesNameWhereThePackageInstalls(t *testing.T) {
	if config.Example != SharePath+"/example.yaml" {
		t.Errorf("config.Example = %s; the package installs config/example.yaml as %s/example.yaml", config.Example, SharePath)
	}
	if config.BootConfig != SharePath+"/config.txt" {
		t.Errorf("config.BootConfig = %s; the package installs boot/config.txt as %s/config.txt", config.BootConfig, SharePath)
	}
}
