// Package sip is the broker's SIP back-to-back user agent. It answers a
// courier's call to a virtual number X on leg A, asks a Router which
// binding the call belongs to, and places leg B to the carrier's trunk
// towards the one real number the binding allows, showing X as the
// caller. The two legs are separate dialogs: no header, tag, Call-ID or
// SDP origin crosses from one to the other, except the few headers listed
// below, so neither party learns the other's number.
//
// Call flow, as the INVITE handler runs it:
//
//	caller            broker                        trunk
//	INVITE  ------->  100 Trying (at once)
//	                  Router.Route ── refusal: 403/404/410/484/603/503
//	                  INVITE (user = Decision.Callee, From/PAI = X) ──>
//	180/183 <-------  relayed, SDP origin rewritten  <── 180/183
//	200     <-------  ACK ──>                         <── 200
//	ACK     ------->  call confirmed; Router.Reached
//	BYE     ------->  200 to the caller, BYE ──>      <── 200
//	                  call record to the Recorder
//
// A CANCEL from the caller cancels leg B (sipgo answers 487 itself); a
// 200 from leg B that crosses the CANCEL is acknowledged and released with
// BYE. A BYE from either side ends both legs; re-INVITE, UPDATE and INFO
// are relayed within the call with the SDP origin rewritten. The ring
// timeout cancels leg B and answers 480; the maximum duration sends BYE
// both ways.
//
// Headers copied from one leg to the other: Allow, Accept and Supported
// (without 100rel, which the broker does not do). Content-Type is set by
// the broker for the body it relays: SDP (from a multipart body only its
// SDP part), and for INFO also DTMF relay bodies. Everything else —
// From, To, Contact, Via, Record-Route, Call-ID, P-Asserted-Identity,
// Remote-Party-ID, Diversion, User-Agent, ISUP bodies — stays on its leg.
//
// Every call is owned by the goroutine sipgo runs its INVITE in until the
// caller has acknowledged the answer (or the call is over); after that an
// answered call has no goroutine, only its maximum-duration timer, and is
// driven by the requests that reach it. A registry keyed by dialog finds
// it: leg A by the caller's Call-ID and From tag, leg B by the Call-ID the
// broker made up.
package sip
