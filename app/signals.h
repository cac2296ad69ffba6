// How `serve` (embedded or Kafka) waits to be stopped: SIGINT and SIGTERM are blocked in
// every thread (threads inherit the mask) and taken by sigwait in the main one.
#pragma once

#include <csignal>

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

}  // namespace closeloop::app
