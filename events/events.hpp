#pragma once
// Umbrella header of the event fabric (rv::events). See event_system.hpp for usage.

#include "events/delivery.hpp"
#include "events/error.hpp"
#include "events/event_registry.hpp"
#include "events/event_system.hpp"
#include "events/event_traits.hpp"
#include "events/metrics.hpp"
#include "events/options.hpp"
#include "events/priority.hpp"
#include "events/publisher.hpp"
#include "events/subscriber.hpp"
