// Raw TCP clients for the connection and disk tests of the security suite: a socket that
// sends exactly the bytes a test wants (half a header, a million header lines), the time a
// request takes, a process's memory, percentiles.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace closeloop::testing {

// A connected, blocking TCP socket to 127.0.0.1:port (-1 if it could not connect).
int ConnectLoopback(int port);
// Sends all of `bytes`; false if the peer closed or reset the connection.
bool SendAll(int fd, const std::string& bytes);
// Reads until the peer closes or `limit` passes; what arrived.
std::string ReadUntilClosed(int fd, std::chrono::milliseconds limit);
// True if the connection is still open (nothing to read, no FIN, no reset).
bool StillOpen(int fd);

// One request on a new connection; its status (0: no answer) and how long it took, connect
// included.
struct Timed {
  int status = 0;
  double ms = 0;
};
Timed TimedGet(int port, const std::string& path, const std::string& token);

// Resident and peak resident memory of a process, in KiB (/proc/PID/status).
struct Memory {
  long rss_kib = 0, peak_kib = 0;
};
Memory MemoryOf(pid_t pid);

// The p-th percentile (0..100) of `v` (sorted in place).
double Percentile(std::vector<double>& v, double p);

}  // namespace closeloop::testing
