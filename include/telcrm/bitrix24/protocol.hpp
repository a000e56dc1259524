// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The Bitrix24 REST telephony API's wire format (docs/bitrix24-api.md): paths, bodies (JSON
/// or form-encoded with PHP brackets) and their loosely typed values in, typed requests out;
/// results and errors out as the documents real clients expect. Pure — no sockets, no
/// engine, no clock — and table-tested (tests/bitrix24/protocol_test.cpp).
///
/// Part of the telcrm_bitrix24 library behind `telcrm serve --bitrix24` (not installed);
/// it uses nlohmann::json for the nested parameters these methods take.

#include <telcrm/config.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/result.hpp>
#include <telcrm/time.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace bitrix24 {

using Json = nlohmann::json;

/// An error as the API reports it: `{"error": code, "error_description": description}`
/// with HTTP `status`. The descriptions clients key on are Bitrix24's, verbatim.
struct ApiError {
  int status = 400;                 ///< the HTTP status
  std::string code = "ERROR_CORE";  ///< e.g. ERROR_CORE, INVALID_ARGUMENT, ERROR_METHOD_NOT_FOUND
  std::string description{};        ///< e.g. "Unknown TYPE"
  friend bool operator==(const ApiError&, const ApiError&) = default;
};
#if TELCRM_RESULT_BACKEND == 1
/// A value, or the API error saying why there is none.
template <class T>
using ApiResult = tl::expected<T, ApiError>;
using ApiUnexpected = tl::unexpected<ApiError>;
#elif TELCRM_RESULT_BACKEND == 2
template <class T>
using ApiResult = std::expected<T, ApiError>;
using ApiUnexpected = std::unexpected<ApiError>;
#else
template <class T>
using ApiResult = ::telcrm::expected_shim::expected<T, ApiError>;
using ApiUnexpected = ::telcrm::expected_shim::unexpected<ApiError>;
#endif
/// The error side of an ApiResult (HTTP 400, ERROR_CORE unless told).
[[nodiscard]] inline ApiUnexpected api_fail(std::string_view description,
                                            std::string code = "ERROR_CORE", int status = 400) {
  return ApiUnexpected(ApiError{status, std::move(code), std::string(description)});
}

/// The texts real clients compare verbatim (bitrix-asterisk retries on the first).
namespace text {
inline constexpr std::string_view user_not_set = "USER_ID or USER_PHONE_INNER should be set";
inline constexpr std::string_view user_not_found = "User is not found or is not active";
inline constexpr std::string_view unknown_type = "Unknown TYPE";
inline constexpr std::string_view bad_number = "Unsupported phone number format";
inline constexpr std::string_view bad_date = "CALL_START_DATE should be in the ISO-8601 format";
inline constexpr std::string_view call_id_not_string = "CALL_ID must be a string";
inline constexpr std::string_view not_registered =
    "Call is not found (call should be registered prior to finishing)";
inline constexpr std::string_view not_finished =
    "Call is not found in the statistic table. Looks like it is not finished yet.";
inline constexpr std::string_view phone_empty = "PHONE_NUMBER is empty";
inline constexpr std::string_view line_empty = "NUMBER should not be empty";
inline constexpr std::string_view line_exists = "Line already exists";
inline constexpr std::string_view method_not_found = "Method not found!";
inline constexpr std::string_view bad_auth = "Invalid request credentials";
}  // namespace text

// --- paths and bodies ------------------------------------------------------------------------

/// An inbound-webhook path `/rest/<user>/<secret>/<method>` (also `<method>.json` and
/// `<method>/`); `method` is lower-cased (names are case-insensitive).
struct Route {
  std::string user{};
  std::string secret{};
  std::string method{};
  friend bool operator==(const Route&, const Route&) = default;
};
/// The route of a path; nullopt when it is not an inbound-webhook path.
[[nodiscard]] std::optional<Route> parse_route(std::string_view path);

/// Compares two secrets in time that depends only on their lengths (no early exit).
[[nodiscard]] bool same_secret(std::string_view given, std::string_view expected) noexcept;

/// A form-encoded body (or query string) with PHP brackets: `FILTER[UF_PHONE_INNER]=101`,
/// `USER_ID[]=1&USER_ID[]=2`, `fields[ASSIGNED_BY_ID]=3` → nested objects and arrays.
[[nodiscard]] Json parse_form(std::string_view text);
/// The parameters of a request: a JSON object body, or a form-encoded one (by content type;
/// an empty body is no parameters). The query string's parameters are added where the body
/// does not set them. Errors: a malformed JSON body, or one that is not an object.
[[nodiscard]] ApiResult<Json> parse_params(std::string_view body, std::string_view content_type,
                                           std::string_view query);

// --- loosely typed values, as clients send them ----------------------------------------------

/// The parameter `key` looked up case-insensitively (`filter` and `FILTER`); null counts as
/// absent (`USER_ID: null`).
[[nodiscard]] const Json* find(const Json& params, std::string_view key);
/// A string, or a number written as one; nullopt when absent, null or of another kind.
[[nodiscard]] std::optional<std::string> text_of(const Json* value);
/// An integer, or a string holding one ("2"); nullopt otherwise.
[[nodiscard]] std::optional<std::int64_t> int_of(const Json* value);
/// 1/0, "1"/"0", "Y"/"N", true/false; nullopt otherwise.
[[nodiscard]] std::optional<bool> flag_of(const Json* value);
/// One id or an array of them (int or string).
[[nodiscard]] std::vector<std::int64_t> ids_of(const Json* value);

/// PHONE_NUMBER as Bitrix24 keeps it: digits and `# * + , ;` only.
[[nodiscard]] std::string strip_phone(std::string_view number);
/// ISO-8601 with a zone (`2026-12-06T10:00:00+03:00`, `…Z`, fractions allowed).
[[nodiscard]] std::optional<Timestamp> parse_iso8601(std::string_view text);
/// `2026-12-06T07:00:00+00:00`.
[[nodiscard]] std::string format_iso8601(Timestamp at);
/// STATUS_CODE as int or string: "200", 486, "603-S" (the code is 603) → the SIP code;
/// nullopt for codes outside 100 … 699 or not numeric ("OTHER").
[[nodiscard]] std::optional<int> status_code_of(const Json* value);
/// Standard base64 (padding optional, whitespace ignored); nullopt on a bad character.
[[nodiscard]] std::optional<std::string> decode_base64(std::string_view text);
/// A recording's file name ends in .wav or .mp3 (case-insensitive).
[[nodiscard]] bool is_recording_name(std::string_view name) noexcept;
/// CONTACT, COMPANY, LEAD, DEAL (upper-case) for an entity type, and back.
[[nodiscard]] std::string_view type_name(EntityType type) noexcept;
[[nodiscard]] std::optional<EntityType> type_of(std::string_view name) noexcept;

// --- typed requests --------------------------------------------------------------------------

/// Who a call is for: USER_ID, or the inner number USER_PHONE_INNER (one is required).
struct UserRef {
  std::optional<std::int64_t> id{};
  std::optional<std::string> inner{};
  friend bool operator==(const UserRef&, const UserRef&) = default;
};

/// telephony.externalcall.register.
struct RegisterRequest {
  UserRef user{};
  std::string number{};                 ///< stripped (strip_phone)
  int type = 2;                         ///< 1 out, 2 in, 3 in redirected, 4 callback, 5 info
  std::optional<Timestamp> start{};     ///< CALL_START_DATE
  bool crm_create = false;              ///< CRM_CREATE (or its legacy alias CRM)
  std::optional<std::string> source{};  ///< CRM_SOURCE
  std::optional<EntityRef> entity{};    ///< CRM_ENTITY_TYPE + CRM_ENTITY_ID
  bool show = true;                     ///< SHOW
  std::string line{};                   ///< LINE_NUMBER
  std::string external_id{};            ///< EXTERNAL_CALL_ID
  friend bool operator==(const RegisterRequest&, const RegisterRequest&) = default;
};
[[nodiscard]] ApiResult<RegisterRequest> parse_register(const Json& params);

/// telephony.externalcall.finish.
struct FinishRequest {
  std::string call_id{};
  UserRef user{};
  std::int64_t duration = 0;                ///< seconds
  std::optional<int> status{};              ///< STATUS_CODE's SIP code (see status_code_of)
  std::string status_text{};                ///< STATUS_CODE as sent ("603-S"), empty when absent
  std::string failed_reason{};              ///< FAILED_REASON
  std::optional<std::string> record_url{};  ///< RECORD_URL (deprecated here)
  std::optional<int> vote{};                ///< 1 … 5
  double cost = 0;
  std::string currency{};
  friend bool operator==(const FinishRequest&, const FinishRequest&) = default;
};
[[nodiscard]] ApiResult<FinishRequest> parse_finish(const Json& params);

/// telephony.externalCall.attachRecord.
struct AttachRecordRequest {
  std::string call_id{};
  std::string filename{};
  std::optional<std::string> content{};     ///< FILE_CONTENT, decoded
  std::optional<std::string> record_url{};  ///< RECORD_URL
  friend bool operator==(const AttachRecordRequest&, const AttachRecordRequest&) = default;
};
[[nodiscard]] ApiResult<AttachRecordRequest> parse_attach_record(const Json& params);

/// telephony.externalcall.show / hide: CALL_ID, USER_ID int or int[].
struct CardRequest {
  std::string call_id{};
  std::vector<std::int64_t> users{};
  friend bool operator==(const CardRequest&, const CardRequest&) = default;
};
[[nodiscard]] ApiResult<CardRequest> parse_card(const Json& params);

/// user.get: FILTER (UF_PHONE_INNER, ID, USER_TYPE, ACTIVE), sort/order, start.
struct UserQuery {
  std::optional<std::string> inner{};
  std::optional<std::int64_t> id{};
  std::optional<std::string> user_type{};
  std::optional<bool> active{};
  std::string sort = "ID";
  bool descending = false;
  std::size_t start = 0;
  friend bool operator==(const UserQuery&, const UserQuery&) = default;
};
[[nodiscard]] UserQuery parse_user_query(const Json& params);

// --- documents out ---------------------------------------------------------------------------

/// Lists come in pages of this many.
inline constexpr std::size_t page_size = 50;

/// When the request was served, for the `time` object (the official SDK fails without it).
struct Timing {
  double start = 0;   ///< Unix seconds
  double finish = 0;  ///< Unix seconds
};

/// `{"result": result, "time": {…}}`; with `total` and, when more remain, `next`.
[[nodiscard]] std::string format_result(const Json& result, const Timing& timing,
                                        std::optional<std::size_t> total = std::nullopt,
                                        std::optional<std::size_t> next = std::nullopt);
/// `{"error": code, "error_description": description}`.
[[nodiscard]] std::string format_error(const ApiError& error);

/// A user as user.get returns it: ID as a string, UF_PHONE_INNER, phones, USER_TYPE.
[[nodiscard]] Json user_json(const Employee& employee);
/// crm.contact.get / crm.lead.get / crm.deal.get: numbers as strings (clients decode them so).
[[nodiscard]] Json contact_json(const Contact& contact);
[[nodiscard]] Json lead_json(const Lead& lead);
[[nodiscard]] Json deal_json(const Deal& deal);
[[nodiscard]] Json company_json(const Company& company);

/// The users a user.get query selects, sorted, before paging.
[[nodiscard]] std::vector<Employee> select_users(std::vector<Employee> employees,
                                                 const UserQuery& query);

/// `externalCall.<32 hex>.<unix time>` from 128 random bits.
[[nodiscard]] std::string make_call_id(std::uint64_t high, std::uint64_t low, Timestamp at);

/// True when `number` (stripped) is an active employee's inner number: an internal call.
[[nodiscard]] bool is_internal(std::string_view number, const std::vector<Employee>& employees);

/// True for an address a recording may be fetched from: not loopback, private (RFC 1918,
/// unique-local), link-local, carrier-grade NAT, unspecified, multicast or broadcast.
/// `address` is numeric IPv4 or IPv6 (IPv4-mapped IPv6 is judged as IPv4); false when it is
/// not an address.
[[nodiscard]] bool is_public_address(std::string_view address);

/// A URL split for fetching: http or https only.
struct Url {
  std::string scheme{};  ///< "http" or "https"
  std::string host{};    ///< without brackets for IPv6
  int port = 0;
  std::string target{};  ///< path and query, "/" at least
  friend bool operator==(const Url&, const Url&) = default;
};
[[nodiscard]] std::optional<Url> parse_url(std::string_view text);
/// A redirect's Location, absolute or relative to `base`.
[[nodiscard]] std::optional<Url> resolve_location(const Url& base, std::string_view location);

}  // namespace bitrix24
TELCRM_END_NAMESPACE
