// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// The Bitrix24 REST telephony methods over one CallEngine in observe mode
/// (docs/bitrix24-api.md): a PBX connector registers, shows, hides and finishes calls,
/// asks whom a number belongs to, and attaches the recording afterwards. No HTTP here: the
/// server's router authenticates, caps and parses, then calls Service::call().

#include <telcrm/bitrix24/protocol.hpp>
#include <telcrm/config.hpp>
#include <telcrm/engine/call_engine.hpp>
#include <telcrm/phone/region.hpp>
#include <telcrm/ports/clock.hpp>
#include <telcrm/ports/crm_store.hpp>
#include <telcrm/ports/directory.hpp>
#include <telcrm/result.hpp>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

TELCRM_BEGIN_NAMESPACE
namespace bitrix24 {

/// Where recordings go (a port the server implements): uploaded bytes are written to the
/// recordings folder, URLs are downloaded there under the SSRF rules. Each returns the
/// reference the activity keeps (a path). Called without the service's lock held.
class RecordingSink {
 public:
  virtual ~RecordingSink() = default;
  /// Keeps uploaded bytes. Errors are reported to the client as they are.
  [[nodiscard]] virtual ApiResult<std::string> store(std::string_view call_id,
                                                     std::string_view filename,
                                                     std::string_view bytes) = 0;
  /// Downloads `url` and keeps it (refusing private addresses, over-large or slow bodies).
  [[nodiscard]] virtual ApiResult<std::string> fetch(std::string_view call_id,
                                                     std::string_view filename,
                                                     std::string_view url) = 0;
};

/// What a method answered: a result (with `total`/`next` for lists) or an error.
struct Answer {
  Json result{};
  std::optional<std::size_t> total{};
  std::optional<std::size_t> next{};
};

struct ServiceOptions {
  /// The line calls go to when LINE_NUMBER names none of the settings' lines (the engine
  /// needs a configured line); empty: the settings' first line.
  std::string default_line{};
  /// A live call with the same user, number, type, line and external id this recent is the
  /// same call (Bitrix24: 30 minutes).
  Seconds dedup_window{30 * 60};
  /// Finished calls remembered for attachRecord.
  std::size_t remembered = 100000;
  /// A registered call never finished is forgotten after this long.
  Seconds stale_after{12 * 3600};
  /// The region numbers without a country code are read in (searchCrmEntities, findbycomm).
  Region region{};
};

/// The methods. Thread-safe: calls may come from many connections at once.
class Service {
 public:
  /// `lines`: the numbers of the settings' lines.
  Service(CallEngine& engine, CrmStore& store, Directory& directory, const Clock& clock,
          RecordingSink& recordings, std::vector<std::string> lines, ServiceOptions options = {});

  /// Runs `method` (lower-cased, as parse_route gives it) with its parameters.
  [[nodiscard]] ApiResult<Answer> call(std::string_view method, const Json& params);
  /// True when the method exists (others answer ERROR_METHOD_NOT_FOUND).
  [[nodiscard]] static bool has_method(std::string_view method) noexcept;

 private:
  struct Live {
    std::string call_id;
    std::int64_t user = 0;
    std::string number;
    int type = 2;
    std::string line;  // LINE_NUMBER as given
    std::string external_id;
    Timestamp at{};
    Timestamp seen{};  // when it was registered (by the clock): forgotten after stale_after
    Json registered;   // the register answer, repeated for a duplicate
  };
  struct Finished {
    Json record;
    std::uint64_t file_id = 0;
  };

  ApiResult<Answer> register_call(const Json& p);
  ApiResult<Answer> finish(const Json& p);
  ApiResult<Answer> attach_record(const Json& p);
  ApiResult<Answer> card(const Json& p, bool show);
  ApiResult<Answer> search(const Json& p);
  ApiResult<Answer> line_add(const Json& p);
  ApiResult<Answer> line_get();
  ApiResult<Answer> user_get(const Json& p);
  ApiResult<Answer> find_by_comm(const Json& p);
  ApiResult<Answer> entity_get(EntityType type, const Json& p);
  ApiResult<Answer> entity_update(EntityType type, const Json& p);

  ApiResult<Employee> user_of(const UserRef& user) const;
  /// Every record whose phone normalises to `number`'s E.164, by type, ids ascending.
  ApiResult<std::map<EntityType, std::vector<EntityId>>> records_with(std::string_view number);
  void note_line(const std::string& number);
  std::string engine_line(const std::string& line_number) const;

  CallEngine& engine_;
  CrmStore& store_;
  Directory& directory_;
  const Clock& clock_;
  RecordingSink& recordings_;
  std::vector<std::string> lines_;
  ServiceOptions options_;

  std::mutex mutex_;
  std::mt19937_64 random_;
  std::map<std::string, Live> live_;
  std::map<std::string, Finished> finished_;
  std::deque<std::string> finished_order_;
  struct ExternalLine {
    std::string number, name;
    bool auto_create = true;
    std::int64_t id = 0;
  };
  std::vector<ExternalLine> external_lines_;
  std::uint64_t next_file_ = 0;
  std::uint64_t next_stat_ = 0;
  std::uint64_t next_update_ = 0;
};

}  // namespace bitrix24
TELCRM_END_NAMESPACE
