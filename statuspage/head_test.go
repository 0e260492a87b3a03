package statuspage

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"
)

// A HEAD on the live stream (a monitoring check, uptime tools, curl -I)
// is answered with the stream's headers and ends there: its handler must
// not stay on the connection streaming into a reply that has no body. A
// client that keeps its connection alive sends its next request on it,
// and that request waited for ever; each such check also held one of the
// four live streams an address may have, until the connection closed.
func TestHeadOnTheStreamEndsAndFreesTheConnection(t *testing.T) {
	p, srv := streamPage(t, 10)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for i := 1; i <= 2; i++ {
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(conn, "HEAD /api/events HTTP/1.1\r\nHost: %s\r\n\r\n", srv.Listener.Addr())
		resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodHead})
		if err != nil {
			t.Fatalf("HEAD /api/events number %d on one kept-alive connection: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Errorf("HEAD /api/events: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
		}
	}
	waitFor(t, "no live stream held by the HEAD requests", func() bool { return p.Clients() == 0 })
}
