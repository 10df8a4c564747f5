package ais

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// sum fills in the "*hh" checksum of a sentence or a tag block, so test
// cases can be written by hand; real captured sentences test the checksum.
func sum(s string) string {
	start, end := 0, strings.Index(s, "*hh")
	for i := end; i >= 0; i-- {
		if s[i] == '!' || s[i] == '$' || s[i] == '\\' {
			start = i + 1
			break
		}
	}
	return s[:end] + fmt.Sprintf("*%02X", xorSum([]byte(s[start:end]))) + s[end+3:]
}

// badSum is sum with the checksum off by one.
func badSum(s string) string {
	good := sum(s)
	i := strings.Index(good, "*")
	var v int
	fmt.Sscanf(good[i+1:i+3], "%X", &v)
	return good[:i] + fmt.Sprintf("*%02X", v^1) + good[i+3:]
}

func TestParseSentence(t *testing.T) {
	const pos = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
	ts := time.Date(2021, 11, 1, 1, 58, 9, 0, time.UTC)
	tests := []struct {
		name    string
		line    string
		err     error
		talker  string
		source  string
		rx      time.Time
		channel byte
		seq     int
	}{
		{name: "plain", line: pos, talker: "AI", channel: 'A', seq: -1},
		{name: "crlf and spaces", line: "  " + pos + "\r\n", talker: "AI", channel: 'A', seq: -1},
		{name: "base station talker", line: sum("!BSVDM,1,1,,B,15RTgt0PAso;90TKcjM8h6g208CQ,0*hh"), talker: "BS", channel: 'B', seq: -1},
		{name: "own ship", line: "!AIVDO,1,1,,,B>qc:003wk?8mP=18D3Q3wgTiT;T,0*13", talker: "AI", seq: -1},
		{name: "numeric channel", line: sum("!AIVDM,1,1,,1,15RTgt0PAso;90TKcjM8h6g208CQ,0*hh"), talker: "AI", channel: '1', seq: -1},
		{name: "tag block", line: sum(`\s:42809,c:1635731289*hh\`) + pos, talker: "AI", source: "42809", rx: ts.Add(-600 * time.Second), channel: 'A', seq: -1},
		{name: "tag block millis", line: sum(`\c:1635731289000,s:r1*hh\`) + pos, talker: "AI", source: "r1", rx: ts.Add(-600 * time.Second), channel: 'A', seq: -1},
		{name: "unix prefix", line: "1635731889 " + pos, talker: "AI", rx: ts, channel: 'A', seq: -1},
		{name: "unix prefix fraction", line: "1635731889.250 " + pos, talker: "AI", rx: ts.Add(250 * time.Millisecond), channel: 'A', seq: -1},
		{name: "iso prefix", line: "2021-11-01T01:58:09Z " + pos, talker: "AI", rx: ts, channel: 'A', seq: -1},
		{name: "iso prefix with space", line: "2021-11-01 01:58:09," + pos, talker: "AI", rx: ts, channel: 'A', seq: -1},
		{name: "trailing unix time", line: pos + ",1635731889", talker: "AI", rx: ts, channel: 'A', seq: -1},
		{name: "garbage prefix ignored", line: "rx42> " + pos, talker: "AI", channel: 'A', seq: -1},
		{name: "bad checksum", line: "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B", err: ErrChecksum},
		{name: "no checksum", line: "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0", err: ErrNoChecksum},
		{name: "truncated checksum", line: "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4", err: ErrNoChecksum},
		{name: "not AIS", line: "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47", err: ErrNotAIS},
		{name: "empty", line: "   ", err: ErrEmpty},
		{name: "bad tag checksum", line: badSum(`\s:42809,c:1635731289*hh\`) + pos, err: ErrTagChecksum},
		{name: "unterminated tag", line: `\s:42809,c:1635731289*5A` + pos, err: ErrTagBlock},
		{name: "bad fill bits", line: sum("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,7*hh"), err: ErrFillBits},
		{name: "bad payload char", line: sum("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208C~,0*hh"), err: ErrPayloadChar},
		{name: "fragment beyond count", line: sum("!AIVDM,1,2,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*hh"), err: ErrFragment},
		{name: "zero fragments", line: sum("!AIVDM,0,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*hh"), err: ErrFormat},
		{name: "empty single payload", line: "!AIVDM,1,1,,A,,0*26", err: ErrEmptyPayload},
		{name: "missing fields", line: sum("!AIVDM,1,1*hh"), err: ErrFormat},
		{name: "extra field", line: sum("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0,X*hh"), err: ErrFormat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseSentence([]byte(tc.line))
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(s.Talker[:]) != tc.talker || string(s.Tag.Source) != tc.source ||
				!s.Received.Equal(tc.rx) || s.Channel != tc.channel || s.SeqID != tc.seq {
				t.Errorf("got talker %s source %q rx %v channel %q seq %d", s.Talker, s.Tag.Source, s.Received, s.Channel, s.SeqID)
			}
		})
	}
}

func TestTagBlockGroup(t *testing.T) {
	s, err := ParseSentence([]byte(`\g:1-2-73874,n:157036,s:r003669945,c:1241544035*4A\!AIVDM,1,1,,B,15N4cJ` + "`" + `005Jrek0H@9n` + "`" + `DW5608EP,0*13`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Tag.GroupNum != 1 || s.Tag.GroupTotal != 2 || s.Tag.GroupID != 73874 || string(s.Tag.Source) != "r003669945" {
		t.Errorf("tag = %+v", s.Tag)
	}
	if want := time.Unix(1241544035, 0).UTC(); !s.Received.Equal(want) {
		t.Errorf("received %v, want %v", s.Received, want)
	}
}
