package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/snapshot"
)

// staff exports the staff area as the control law sees it: the booth smoke
// it holds beyond its clean air, and the excess that alone sends the fans
// to full speed, which the law learns from the smoke the area usually
// carries. Together they say why the fans run as they do between sessions:
// a full-speed excess pinned at its upper bound in a room that used to sit
// lower means the room now carries more smoke than it did (a tiring fan, a
// leaky booth). Absent until the staff area's first reading.
type staff struct {
	excess, clean, gap, usual, full, share, price *prometheus.Desc
	leverage                                      *prometheus.Desc
	gain, general                                 *prometheus.Desc
}

func newStaff(n namer) *staff {
	return &staff{
		excess: n.desc("staff_pm25_excess_ugm3", "Booth smoke in the staff area as the control law sees it: its PM2.5 (smoothed over 20 s) above its clean air, µg/m³."),
		clean:  n.desc("staff_pm25_clean_air_ugm3", "What the staff area's PM2.5 would read with no booth smoke in it (outdoor air, sensor offset, drift), as the control law learned it, µg/m³."),
		gap: n.desc("staff_pm25_clearing_gap_ugm3", "How far the staff area's clean air stands above the air coming in while outdoor smoke clears, µg/m³, "+
			"as the control law reads it from how fast the clean air falls: smoke the room took in, which the fans remove as they do booth smoke. 0 while the clean air holds or rises."),
		usual: n.desc("staff_pm25_usual_excess_ugm3", "The staff area's excess averaged over the last 2 h (above the configured price, no more than an ordinary hour's of the last 5), µg/m³; absent until learned or when control.staff_full_usual is 0."),
		price: n.desc("staff_booth_price_factor", "How far the booths' smoke price is relaxed: the booth excess that alone sends a booth's fans to full speed is control.booth_full_excess_ugm3 times this, "+
			"1 as configured, rising to 2 while the staff area keeps under 1 % of the smoke the fans could remove."),
		leverage: n.desc("staff_fan_leverage_factor", "How much less the fans' air is worth to the staff area than in the room the staff's price was set for, "+
			"from 1 to 2: the booth smoke's part of the staff's reason to run the fans is divided by it. It rises as the fans' measured air falls beside the staff area's own ventilation "+
			"(an undersized fan, a clogging filter)."),
		gain: n.desc("staff_pm25_outdoor_gain_ratio", "The share of a change in outdoor PM2.5 the staff area's clean air takes on, as the control law learned it "+
			"from quiet air (1 until the outdoor air has moved enough to say; less behind a supply filter). Absent without an outdoor zone's PM sensor."),
		general: n.desc("staff_general_ventilation_ach", "The staff area's own ventilation, air changes per hour besides the fans', as the control law "+
			"learned it from how its clean air follows the outdoor air: one of 1, 2, 4 or 8. Absent without an outdoor zone's PM sensor."),
		full: n.desc("staff_pm25_full_speed_excess_ugm3", "The staff excess that alone sends the fans to full speed, µg/m³: control.staff_full_usual × the usual excess, within 2/3 and 1.5 × control.staff_full_excess_ugm3, "+
			"lowered (to a quarter at most) while the avoidable share is above 0.03."),
		share: n.desc("staff_pm25_avoidable_share_ratio", "The part of the booth smoke the fans could remove that the staff area kept over the last 3 h, as the control law estimates it "+
			"from the staff area's mass balance: 0 is as little as full extraction would leave, 1 as much as the fans at their minimum. Absent while there was too little smoke to tell."),
	}
}

func (s *staff) describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{s.excess, s.clean, s.gap, s.usual, s.full, s.share, s.price, s.leverage, s.gain, s.general} {
		ch <- d
	}
}

func (s *staff) collect(snap *snapshot.Snapshot, ch chan<- prometheus.Metric) {
	a := snap.Staff
	if a == nil {
		return
	}
	gauge(ch, s.excess, a.Excess)
	gauge(ch, s.clean, a.CleanAir)
	gauge(ch, s.gap, a.ClearingGap)
	gauge(ch, s.full, a.FullSpeedExcess)
	if a.BoothPrice > 0 {
		gauge(ch, s.price, a.BoothPrice)
	}
	if a.FanLeverage > 0 {
		gauge(ch, s.leverage, a.FanLeverage)
	}
	if a.UsualExcess != nil {
		gauge(ch, s.usual, *a.UsualExcess)
	}
	if a.AvoidableShare != nil {
		gauge(ch, s.share, *a.AvoidableShare)
	}
	if o := a.Outdoor; o != nil {
		gauge(ch, s.gain, o.Gain)
		gauge(ch, s.general, o.GeneralACH)
	}
}
