// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file MemoryCrmStore: an in-memory, thread-safe CrmStore. Shipped beside the core as the
/// reference implementation of the port: hosts run their own test suites against it.

#include <telcrm/config.hpp>
#include <telcrm/ports/crm_store.hpp>

#include <atomic>
#include <map>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

TELCRM_BEGIN_NAMESPACE

/// A CRM held in memory. apply() is all-or-nothing and idempotent per (call, seq); claims
/// are honoured (R-I2). Thread-safe: readers share a lock, writers take it alone.
class MemoryCrmStore final : public CrmStore {
 public:
  MemoryCrmStore() = default;
  /// A store holding `initial` (ids as given).
  explicit MemoryCrmStore(const CrmSnapshot& initial);

  [[nodiscard]] Result<void> scan(CrmVisitor& visitor) const override;
  [[nodiscard]] Result<std::optional<Contact>> find_contact(EntityId id) const override;
  [[nodiscard]] Result<std::optional<Company>> find_company(EntityId id) const override;
  [[nodiscard]] Result<std::optional<Lead>> find_lead(EntityId id) const override;
  [[nodiscard]] Result<std::optional<Deal>> find_deal(EntityId id) const override;
  [[nodiscard]] Result<std::vector<Deal>> open_deals_of(EntityRef client) const override;
  [[nodiscard]] Result<std::vector<Lead>> open_repeat_leads_of(EntityRef client) const override;
  [[nodiscard]] Result<CrmSnapshot> snapshot() const override;
  [[nodiscard]] Result<std::uint64_t> data_version() const override;
  [[nodiscard]] Result<WriteReceipt> apply(const WriteBatch& batch) override;

  /// Simulates an outage: while unavailable, every method fails with
  /// Errc::storage_unavailable (for testing R-I3 and hosts' fault handling).
  void set_available(bool available) noexcept { available_.store(available); }

 private:
  struct Claim {
    std::string call;
    Timestamp at;
    std::vector<EntityRef> created;
  };
  [[nodiscard]] Result<void> check_available() const;
  [[nodiscard]] Result<void> validate_locked(const WriteBatch& batch) const;
  WriteReceipt apply_locked(const WriteBatch& batch);

  mutable std::shared_mutex mutex_;
  std::map<EntityId, Contact> contacts_;
  std::map<EntityId, Company> companies_;
  std::map<EntityId, Lead> leads_;
  std::map<EntityId, Deal> deals_;
  std::map<EntityId, Invoice> invoices_;
  std::map<EntityId, CallActivity> activities_;
  std::vector<MissedCall> missed_calls_;
  std::vector<CallRecord> history_;
  // R-I1: the receipts of applied batches, by call id, then batch number.
  std::unordered_map<std::string, std::vector<std::pair<std::uint32_t, WriteReceipt>>> receipts_;
  std::unordered_map<std::string, std::vector<Claim>> claims_;
  std::atomic<bool> available_{true};
};

TELCRM_END_NAMESPACE

#ifdef TELCRM_HEADER_ONLY
#include <telcrm/impl/memory_crm_store-inl.hpp>
#endif
