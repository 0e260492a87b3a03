package coldtext

import (
	"reflect"
	"testing"
)

func TestReadOnlyPassesOnlyTheExecutablesReadOnlyPages(t *testing.T) {
	const maps = `00400000-00de4000 r-xp 00000000 fe:00 10994179                           /usr/bin/ventd
00de4000-01815000 r--p 009e4000 fe:00 10994179                           /usr/bin/ventd
01815000-018a4000 rw-p 01415000 fe:00 10994179                           /usr/bin/ventd
018a4000-038f0000 rw-p 00000000 00:00 0 
02000000-02001000 r--s 00000000 fe:00 10994179                           /usr/bin/ventd
03000000-03001000 ---p 00000000 fe:00 10994179                           /usr/bin/ventd
7f3ba9e3a000-7f3ba9e3c000 r-xp 00000000 00:00 0                          [vdso]
7f3ba9000000-7f3ba9100000 r--p 00000000 fe:00 555                        /usr/lib/other.so
7f3ba9100000-7f3ba9200000 r-xp 00100000 fe:00 10994179                   /usr/bin/ventd (deleted)
garbage line
`
	got := readOnly([]byte(maps), 10994179)
	want := []mapping{
		{0x00400000, 0x00de4000, 0},
		{0x00de4000, 0x01815000, 0x9e4000},
		// After an upgrade replaced the file, its old inode is still
		// what this process runs.
		{0x7f3ba9100000, 0x7f3ba9200000, 0x100000},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("readOnly = %#v, want %#v", got, want)
	}
	// Anonymous mappings have inode 0; asking for it must pass none of
	// them (the heap, the data's zeroed part).
	if got := readOnly([]byte(maps), 0); len(got) != 0 {
		t.Errorf("readOnly(ino 0) = %#v, want none", got)
	}
}
