// How `serve` (embedded or Kafka) waits to be stopped: SIGINT and SIGTERM are blocked in
// every thread (threads inherit the mask) and taken by sigwait in the main one.
#pragma once

#include <chrono>
#include <csignal>
#include <ctime>

namespace closeloop::app {

// Call before starting any thread.
inline void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// Blocks until SIGINT or SIGTERM arrives; returns which.
inline int WaitForStopSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

// The same, waiting at most `limit`: 0 if no signal came.
inline int WaitForStopSignal(std::chrono::milliseconds limit) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  timespec ts{static_cast<time_t>(limit.count() / 1000),
              static_cast<long>(limit.count() % 1000) * 1000000};
  int sig = sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

}  // namespace closeloop::app
