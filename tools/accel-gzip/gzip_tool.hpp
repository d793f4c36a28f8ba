// SPDX-License-Identifier: MIT
// accel-gzip: what the parts of the program share: options, problems and
// exit statuses, reads, writes and output files.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <vector>

#include "accel/fd.hpp"

namespace accel_gzip {

inline constexpr const char *program = "accel-gzip";

enum class Mode { compress, decompress, test, list };

struct Options {
	Mode mode = Mode::compress;
	bool to_stdout = false; ///< -c
	bool keep = false;	///< -k
	bool force = false;	///< -f
	bool quiet = false;	///< -q
	bool verbose = false;	///< -v
	unsigned level = 6;
	std::string suffix = ".gz";
	/// -N (true) or -n (false), whichever came last; unset: save the name
	/// and time when compressing, restore neither when decompressing.
	std::optional<bool> name;
	unsigned device = 0;
	unsigned queues = 0; ///< 0: one per engine of the device
};

/// Exit statuses, as gzip's.
enum Exit : int {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_WARNING = 2,
};

/// What stops the work on one operand (or, fatal, on all): main prints
/// "accel-gzip: <message>" and records the status. A note is printed but
/// leaves the status alone; -q silences notes and warnings unless
/// shown_when_quiet.
struct Problem : std::runtime_error {
	enum class Severity { note, warning, error, fatal };
	Problem(Severity severity, const std::string &message, bool shown_when_quiet = false)
		: std::runtime_error(message), severity(severity), shown_when_quiet(shown_when_quiet)
	{
	}
	Severity severity;
	bool shown_when_quiet;
};

[[nodiscard]] inline Problem error(const std::string &message)
{
	return Problem(Problem::Severity::error, message);
}

[[nodiscard]] inline Problem warning(const std::string &message)
{
	return Problem(Problem::Severity::warning, message);
}

/// A failed system call: "<what>: <strerror>".
struct SystemError : std::runtime_error {
	SystemError(int err, const std::string &what);
	int err;
};

/// The running exit status: an error outranks a warning.
class Status {
public:
	void record(Exit code) noexcept
	{
		if (code == EXIT_ERROR || (code == EXIT_WARNING && code_ == EXIT_OK))
			code_ = code;
	}
	[[nodiscard]] int code() const noexcept { return code_; }

private:
	Exit code_ = EXIT_OK;
};

/// Prints "accel-gzip: <message>" on stderr.
void say(const std::string &message);

/// Where produced bytes go; empty: nowhere (-t, -l).
using Sink = std::function<void(std::span<const std::byte>)>;

// ---- io.cpp ----

/// Reads until @p buf is full or the input ends; the count read.
[[nodiscard]] std::size_t read_full(int fd, std::span<std::byte> buf);
/// Writes all of @p data; @p name says where, for the error.
void write_all(int fd, std::span<const std::byte> data, const std::string &name);

/// The unread part of an input and the reads that extend it.
class InputWindow {
public:
	InputWindow(int fd, std::size_t capacity);

	[[nodiscard]] std::span<const std::byte> data() const noexcept
	{
		return std::span(buf_).subspan(begin_, end_ - begin_);
	}
	/// Offset in the input of data()'s first byte.
	[[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }
	/// Nothing follows data(): the input has ended.
	[[nodiscard]] bool at_eof() const noexcept { return eof_; }
	void consume(std::size_t n) noexcept;
	/// Reads until data() holds @p n bytes (at most the capacity) or the
	/// input ends; whether it holds them.
	bool fill(std::size_t n);
	/// One more read, after the bytes held; false at the end of input.
	bool read_more();
	[[nodiscard]] std::size_t capacity() const noexcept { return buf_.size(); }

private:
	void compact() noexcept;

	int fd_;
	std::vector<std::byte> buf_;
	std::size_t begin_ = 0, end_ = 0;
	std::uint64_t offset_ = 0;
	bool eof_ = false;
};

/// What an output file takes over from its input.
struct Metadata {
	mode_t mode = 0600;
	uid_t uid = 0;
	gid_t gid = 0;
	timespec atime{};
	timespec mtime{};
};

[[nodiscard]] Metadata metadata_of(const struct stat &st) noexcept;

/// A new file written under a temporary name in its target's directory,
/// and renamed into place only when complete and on disk; destroyed
/// uncommitted (an error, an exception), it is removed. A signal that
/// kills the program removes it too.
class OutputFile {
public:
	explicit OutputFile(const std::filesystem::path &target);
	OutputFile(OutputFile &&) = delete;
	~OutputFile();

	[[nodiscard]] int fd() const noexcept { return fd_.get(); }
	/// Takes over @p meta (owner as far as permitted), flushes the data
	/// to disk, renames the file to its target (replacing one that exists
	/// only if @p replace) and makes the rename durable.
	void commit(const Metadata &meta, bool replace);

private:
	std::filesystem::path target_, temp_;
	accel::Fd fd_;
	bool committed_ = false;
};

/// Removes an unfinished output if a signal ends the program.
void install_signal_cleanup();

} // namespace accel_gzip
