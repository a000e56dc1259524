// SPDX-License-Identifier: Apache-2.0
#pragma once
// Strict JSON reading shared by the telcrm::json target (internal; not installed).
//
// Every value is read through a Reader that knows the JSON path of what it reads, so the
// first problem is reported as `crm.contacts[3].phones[0]: expected a string`. Unknown keys
// are errors: a typo must never silently change behaviour. Reading stops at the first error.

#include <telcrm/crm/activity.hpp>
#include <telcrm/crm/employee.hpp>
#include <telcrm/crm/entity.hpp>
#include <telcrm/phone/region.hpp>
#include <telcrm/result.hpp>
#include <telcrm/time.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telcrm::json_detail {

using Json = nlohmann::ordered_json;

/// The document as text (`indent` < 0: one line). Text that is not valid UTF-8 (a host's store
/// or a caller's number may hold any bytes) is written with U+FFFD in place of each bad byte:
/// the library is built without exceptions, where nlohmann's strict default aborts.
inline std::string dump(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

template <class T>
inline constexpr bool is_optional = false;
template <class T>
inline constexpr bool is_optional<std::optional<T>> = true;

/// Parses text into a document; a syntax error reports line and column, a key an object repeats
/// its path below `root` (`$.calls[2]: duplicate key 'answers'`).
/// With `prefix`, a syntax error's message starts with `root: ` too.
Result<Json> parse_document(std::string_view text, std::string_view root = "$",
                            bool prefix = false);

/// The enum values a JSON field may spell, in documentation order (see format_as).
template <class E>
struct EnumValues;

class Reader {
 public:
  [[nodiscard]] bool ok() const noexcept { return !failed_; }
  /// The first problem as an Error (Errc::parse_error, "path: message").
  [[nodiscard]] Error error() const { return Error(Errc::parse_error, message_); }
  /// Records a problem at `path` (only the first one is kept).
  void fail(const std::string& path, std::string_view message);

  // Typed readers: each checks the JSON type and reports a clear problem.
  void read(const Json& j, const std::string& path, bool& out);
  void read(const Json& j, const std::string& path, int& out);
  void read(const Json& j, const std::string& path, std::int64_t& out);
  void read(const Json& j, const std::string& path, double& out);
  void read(const Json& j, const std::string& path, std::string& out);
  void read(const Json& j, const std::string& path, Region& out);
  void read(const Json& j, const std::string& path, Timestamp& out);
  /// Whole seconds, written as a number.
  void read(const Json& j, const std::string& path, Seconds& out);
  /// A SIP status code, 100 … 699 (R-A5).
  void read(const Json& j, const std::string& path, CallStatus& out);
  template <class T>
  void read(const Json& j, const std::string& path, std::optional<T>& out) {
    if (j.is_null()) {
      out.reset();
      return;
    }
    T value{};
    read(j, path, value);
    if (ok()) out = std::move(value);
  }
  template <class T>
  void read(const Json& j, const std::string& path, std::vector<T>& out) {
    if (!j.is_array()) return fail(path, "expected an array");
    out.clear();
    out.reserve(j.size());
    for (std::size_t i = 0; i < j.size() && ok(); ++i) {
      T value{};
      read(j[i], index_path(path, i), value);
      out.push_back(std::move(value));
    }
  }
  template <class E>
  requires(std::is_enum_v<E> && !std::is_same_v<E, CallStatus>) void read(const Json& j,
                                                                          const std::string& path,
                                                                          E& out) {
    if (j.is_string()) {
      const auto& s = j.get_ref<const std::string&>();
      for (E value : EnumValues<E>::all)
        if (format_as(value) == s) {
          out = value;
          return;
        }
    }
    std::string expected = "expected one of ";
    bool first = true;
    for (E value : EnumValues<E>::all) {
      if (!first) expected += ", ";
      expected += format_as(value);
      first = false;
    }
    fail(path, expected);
  }

  static std::string key_path(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  static std::string index_path(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }

 private:
  bool failed_ = false;
  std::string message_;
};

/// Reads one JSON object field by field and rejects keys nobody asked for:
///   ObjectReader o(reader, j, path);
///   o.required("id", contact.id); o.optional("name", contact.name); o.finish();
class ObjectReader {
 public:
  ObjectReader(Reader& reader, const Json& j, std::string path);
  /// True when the value is an object (else a problem was recorded).
  [[nodiscard]] bool valid() const noexcept { return object_ != nullptr; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// The raw value of `key`, or nullptr when absent; marks the key as known.
  const Json* find(std::string_view key);

  template <class T>
  void required(std::string_view key, T& out) {
    const Json* v = find(key);
    if (!reader_.ok() || object_ == nullptr) return;
    if (v == nullptr) return reader_.fail(path_, "missing required key '" + std::string(key) + "'");
    reader_.read(*v, Reader::key_path(path_, key), out);
  }
  /// Reads `key` when present; an absent key leaves `out` at its default. For a non-optional
  /// `out`, an explicit null also keeps the default.
  template <class T>
  void optional(std::string_view key, T& out) {
    const Json* v = find(key);
    if (!reader_.ok() || v == nullptr) return;
    if constexpr (!is_optional<T>) {
      if (v->is_null()) return;
    }
    reader_.read(*v, Reader::key_path(path_, key), out);
  }
  /// Reports the first key that was never asked for.
  void finish();

 private:
  Reader& reader_;
  const Json* object_ = nullptr;
  std::string path_;
  std::vector<std::string_view> known_;
};

// --- enum spellings ----------------------------------------------------------------------
template <>
struct EnumValues<LeadStatus> {
  static constexpr std::array all{LeadStatus::in_progress, LeadStatus::converted, LeadStatus::junk};
};
template <>
struct EnumValues<DealStage> {
  static constexpr std::array all{DealStage::in_progress, DealStage::won, DealStage::lost};
};
template <>
struct EnumValues<EntityType> {
  static constexpr std::array all{EntityType::lead, EntityType::contact, EntityType::company,
                                  EntityType::deal, EntityType::invoice};
};
template <>
struct EnumValues<Presence> {
  static constexpr std::array all{Presence::online, Presence::offline, Presence::busy};
};
template <>
struct EnumValues<CallDirection> {
  static constexpr std::array all{CallDirection::incoming, CallDirection::outgoing,
                                  CallDirection::callback};
};
template <>
struct EnumValues<ActivityStatus> {
  static constexpr std::array all{ActivityStatus::answered, ActivityStatus::missed,
                                  ActivityStatus::voicemail};
};
template <>
struct EnumValues<CrmState> {
  static constexpr std::array all{CrmState::matched, CrmState::unknown, CrmState::excepted,
                                  CrmState::employee, CrmState::disabled};
};

/// Writers: the inverse of the readers, producing the documented spellings.
std::string format_timestamp(Timestamp t);
inline Json optional_json(const std::optional<std::string>& v) {
  return v ? Json(*v) : Json(nullptr);
}
template <class T>
Json optional_json(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}
inline Json optional_time_json(const std::optional<Timestamp>& v) {
  return v ? Json(format_timestamp(*v)) : Json(nullptr);
}

}  // namespace telcrm::json_detail
