package journal

import (
	"testing"
	"time"
)

// Someone deletes the start of a young journal with sqlite3: the first
// hour's minutes, and with them the alarm raised in it and its gap.
// Retention (400 days) deleted nothing, and Prune never ran, yet Verify
// counts the missing rows as "pruned with retention" and says the record
// is intact: any prefix of the record can be cut off unseen, however
// recent, so long as the minutes go with it.
func TestChainNamesTheStartOfTheRecordDeleted(t *testing.T) {
	j := open(t, Options{})
	for i := range 120 {
		at := t0.Add(time.Duration(i) * time.Minute)
		b := Batch{Minutes: minutes(at, 1, []string{"staff"}, []string{"pm2.5"})}
		if i == 30 {
			b.Events = []Event{{ID: 1, AlarmID: 1, Rule: "staff-pm25", Kind: "raised", Level: "alarm", Subject: "staff",
				Quantity: "pm2.5", Time: at.Add(10 * time.Second), Value: 300, Threshold: 125.5, Message: "PM2.5 high"}}
			b.Gaps = []Gap{{Start: at, End: at.Add(40 * time.Second), Zone: "staff", Quantity: "pm2.5", Reason: GapSensorFault}}
		}
		write(t, j, b)
	}
	if v := verify(t, j, VerifyOptions{}); !v.OK() {
		t.Fatal("not OK before the change")
	}
	for _, q := range []string{
		`DELETE FROM minutes WHERE start_ms < ` + ms(t0.Add(time.Hour)),
		`DELETE FROM events WHERE id = 1`,
		`DELETE FROM gaps`,
	} {
		if _, err := j.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	v := verify(t, j, VerifyOptions{})
	if v.OK() {
		t.Errorf("the first hour (60 minutes, an alarm, a gap) deleted 2 h into a journal kept 400 days: verify OK, %d rows counted as pruned with retention", v.Pruned)
	}
}
