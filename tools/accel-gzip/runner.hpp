// SPDX-License-Identifier: MIT
// accel-gzip: what is done with each operand, as gzip does it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "decode.hpp"
#include "engine.hpp"
#include "gzip_tool.hpp"

namespace accel_gzip {

/// Prints problems as they happen and keeps the exit status.
class Reporter {
public:
	explicit Reporter(bool quiet) noexcept : quiet_(quiet) {}
	void report(const Problem &p);
	[[nodiscard]] int code() const noexcept { return status_.code(); }

private:
	bool quiet_;
	Status status_;
};

/// The name a compressed file @p name came from: without its suffix
/// (@p user_suffix first, then gzip's: .gz .z -gz -z _z, and .tgz .taz
/// for .tar); nullopt if it has none.
[[nodiscard]] std::optional<std::string> strip_suffix(const std::string &name,
						      const std::string &user_suffix);

/// gzip -v's and -l's ratio: "%5.1f%%" of what the compression saved.
[[nodiscard]] std::string ratio(std::uint64_t original, std::uint64_t compressed);

class Runner {
public:
	Runner(const Options &options, Reporter &reporter);
	Runner(const Runner &) = delete;
	Runner &operator=(const Runner &) = delete;
	~Runner();

	/// Handles one operand ("-": standard input). Throws Problem for the
	/// caller to report; Problem::Severity::fatal when nothing more can
	/// be done (the device failed).
	void operand(const std::string &arg);
	/// After the last operand: -l's totals.
	void finish();

private:
	struct Input;
	/// Opens @p arg ("-": standard input) and refuses, as gzip does, what
	/// must not be replaced: directories, special files, set-id and sticky
	/// files, files with other links (the last three but with -f).
	void open_input(const std::string &arg, Input &in);
	void compress(Input &in);
	void expand(Input &in);
	/// Writes one member of @p in's data to @p out_fd (@p out_name in
	/// messages).
	DeflateTotals compress_to(Input &in, int out_fd, const std::string &out_name);
	/// Throws unless @p out may be written: it must not exist (but with
	/// -f) and never be the input itself.
	void refuse_existing(const Input &in, const std::string &out);
	/// Closes the input and removes it, unless -k.
	void remove_input(Input &in);
	DecodeSummary decode_to(Input &in, InputWindow &window, const Sink &out);
	void list_row(const Input &in, const DecodeSummary &s);
	void warn_trailing(const Input &in, const DecodeSummary &s);
	DeflatePool &pool();
	accel::Decompressor &inflater();

	const Options &opt_;
	Reporter &reporter_;
	Engine engine_;
	// After engine_: they use its queues, so they go first.
	std::optional<DeflatePool> pool_;
	std::optional<accel::Decompressor> inflater_;
	std::vector<std::byte> inflate_buffer_;

	struct ListTotals {
		unsigned files = 0;
		std::uint64_t compressed = 0, uncompressed = 0;
		std::uint64_t last_framing = 0; ///< the last file's header and trailer bytes
		bool header_printed = false;
	} list_;
};

} // namespace accel_gzip
