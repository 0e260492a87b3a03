package statuspage

import (
	"net/http"
	"testing"
)

// Browsers and caching proxies revalidate with If-None-Match in the forms
// RFC 9110 gives it: a list of tags (a proxy holding two versions), a
// weak tag (W/"…", what nginx and other proxies turn a tag into when
// they compress a reply), or *. Each that names the file as served is a
// 304, not the whole file again.
func TestPageFilesRevalidateAsHTTPSays(t *testing.T) {
	r := startRoom(t, roomYAML(1, ""), roomOpts{})
	r.pacer.release() // unpaced: nothing here looks at the time
	for _, path := range []string{"/", "/ui/page.js"} {
		resp, err := http.Get(r.url(path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		etag := resp.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", path)
		}
		for _, inm := range []string{etag, `"an-older-one", ` + etag, "W/" + etag, "*"} {
			req, _ := http.NewRequest(http.MethodGet, r.url(path), nil)
			req.Header.Set("If-None-Match", inm)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("%s with If-None-Match %s: %s, want 304 Not Modified", path, inm, resp.Status)
			}
		}
		req, _ := http.NewRequest(http.MethodGet, r.url(path), nil)
		req.Header.Set("If-None-Match", `"an-older-one"`)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s with another version's tag: %s, want 200", path, resp.Status)
		}
	}
}
