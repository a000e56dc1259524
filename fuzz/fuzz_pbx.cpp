// SPDX-License-Identifier: Apache-2.0
// The Kamailio/PBX protocol's pure parsers (telcrm/pbx): the endpoint bodies, SIP identities
// (From, P-Asserted-Identity, Privacy, Request-URI) and extensions. The first line picks
// what is parsed: an endpoint name (call, failed, …), or `sip` (then three header lines).
// Properties: no crash or undefined behaviour; an anonymous caller never carries a number;
// every text a parser hands on is valid UTF-8 (the engine journals it as JSON).
#include <telcrm/detail/utf8.hpp>
#include <telcrm/pbx/pbx_protocol.hpp>
#include <telcrm/pbx/sip_identity.hpp>

#include <string>

#include "fuzz_support.hpp"

using namespace telcrm;
using namespace telcrm::pbx;

namespace {

void utf8(std::string_view what, const std::string& text) {
  if (telcrm::detail::valid_utf8(text) != text) telcrm_fuzz::finding(what, text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view rest;
  const std::string_view what = telcrm_fuzz::first_line(telcrm_fuzz::text_of(data, size), rest);
  if (what == "sip") {
    std::string_view tail;
    const std::string_view from = telcrm_fuzz::first_line(rest, tail);
    std::string_view tail2;
    const std::string_view asserted = telcrm_fuzz::first_line(tail, tail2);
    const Caller c = caller_of(from, asserted, tail2);
    if (c.anonymous && c.number != anonymous_number)
      telcrm_fuzz::finding("an anonymous caller carries a number", c.number);
    // What reaches caller_of has passed the JSON reader's UTF-8 check: from UTF-8 headers,
    // a number of UTF-8 (percent-escapes included).
    auto is_utf8 = [](std::string_view t) {
      return telcrm::detail::valid_utf8(std::string(t)) == t;
    };
    if (is_utf8(from) && is_utf8(asserted) && is_utf8(tail2))
      utf8("a caller's number that is not UTF-8", c.number);
    (void)dialled_number(rest);
    (void)number_of(parse_uri(rest));
    (void)extension_of(rest);
    (void)same_extension(from, asserted);
    return 0;
  }
  const auto endpoint = endpoint_of(std::string("/pbx/") + std::string(what));
  if (!endpoint) return 0;
  switch (*endpoint) {
    case Endpoint::call:
      if (auto c = parse_new_call(rest))
        for (const std::string* text : {&c->call, &c->from, &c->asserted, &c->privacy, &c->to})
          utf8("a new call's text that is not UTF-8", *text);
      break;
    case Endpoint::failed:
      if (auto f = parse_step_failed(rest)) (void)outcome_of(static_cast<int>(f->step));
      break;
    case Endpoint::answered: (void)parse_step_answered(rest); break;
    case Endpoint::cancelled: (void)parse_caller_left(rest); break;
    case Endpoint::ended: (void)parse_call_ended(rest); break;
    case Endpoint::transferred: (void)parse_call_transferred(rest); break;
    case Endpoint::presence: (void)parse_presence(rest); break;
  }
  (void)format_error(rest);
  return 0;
}
