// SPDX-License-Identifier: Apache-2.0
#pragma once
/// \file
/// Forward declarations of telcrm's main types, for headers that only name them.

#include <telcrm/config.hpp>

TELCRM_BEGIN_NAMESPACE

class Error;
class Region;
class PhoneNumber;
class PhoneNormalizer;

struct EntityRef;
struct Contact;
struct Company;
struct Lead;
struct Deal;
struct Invoice;
struct Employee;
struct CallActivity;
struct MissedCall;
struct CallRecord;
struct CrmSnapshot;

class CrmIndex;
class CrmMatcher;
class ExceptionList;
class EmployeeIndex;
struct MatchRequest;
struct MatchResult;

struct IntegrationSettings;
struct LineSettings;
struct QueueSettings;
struct WorkHours;

class RoutingPolicy;
class Roster;
class QueueStats;
struct RouteStep;

class LeadFactory;
class ModeStrategy;
struct CreationPlan;

class CrmStore;
class Directory;
class Telephony;
class Clock;
class Observer;

class CallEngine;
struct CallResult;
struct Scenario;

TELCRM_END_NAMESPACE
