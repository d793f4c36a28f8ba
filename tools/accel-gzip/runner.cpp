// SPDX-License-Identifier: MIT
// accel-gzip: each operand, compressed, decompressed, tested or listed
// with gzip 1.12's rules for names, refusals, messages and statuses.
#include "runner.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <iostream>
#include <limits>
#include <unistd.h>
#include <vector>

#include "accel/error.hpp"
#include "accel/gzip.hpp"

namespace accel_gzip {
namespace gz = accel::gzip;

namespace {

// Compression block: large enough that a descriptor's fixed costs (the
// submission, the engine's wake-up and its setup of a deflate state) are
// small beside its work, and that restarting the history window at each
// block costs under 1% of the size (0.3% at level 1, 0.7 to 0.9% at 6
// and 9 on text and source code, against one stream); small enough that
// a few blocks per queue stay a few MiB of memory and that files of a few
// MiB already keep every engine busy.
constexpr std::size_t block_size = 1 << 20;
// Decompression reads this much input at a time and writes at most this
// much output per descriptor: a stream keeps its state in the kernel, so
// buffer sizes only trade system calls against memory.
constexpr std::size_t inflate_input_size = 256 << 10;
constexpr std::size_t inflate_output_size = 1 << 20;
// Blocks smaller than this are not worth a descriptor.
constexpr std::size_t smallest_block = 4096;

struct SuffixMatch {
	std::string stem;   ///< the name without the suffix, plus what replaces it
	std::string suffix; ///< the suffix found
};

struct KnownSuffix {
	std::string suffix, replacement;
};

/// The suffixes gzip recognises on compressed files, in the order tried.
std::vector<KnownSuffix> known_suffixes(const std::string &user_suffix)
{
	return {
		{user_suffix, ""}, {".gz", ""}, {".z", ""}, {"-gz", ""},
		{"-z", ""},	   {"_z", ""},	{".tgz", ".tar"}, {".taz", ".tar"},
	};
}

std::optional<SuffixMatch> find_suffix(const std::string &name, const std::string &user_suffix)
{
	const std::size_t slash = name.rfind('/');
	const std::size_t base = slash == std::string::npos ? 0 : slash + 1;
	for (const KnownSuffix &k : known_suffixes(user_suffix)) {
		// The suffix must leave a name: ".gz" alone is a name, not a suffix.
		if (name.size() - base > k.suffix.size() && name.ends_with(k.suffix))
			return SuffixMatch{name.substr(0, name.size() - k.suffix.size()) + k.replacement,
					   k.suffix};
	}
	return std::nullopt;
}

/// The last component of a stored name, if it is one a file may have
/// here: a name from a header must not reach outside the directory.
std::optional<std::string> restorable_name(const std::string &stored)
{
	const std::size_t slash = stored.rfind('/');
	std::string base = slash == std::string::npos ? stored : stored.substr(slash + 1);
	if (base.empty() || base == "." || base == "..")
		return std::nullopt;
	return base;
}

std::string directory_of(const std::string &path)
{
	const std::size_t slash = path.rfind('/');
	return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

std::string base_name(const std::string &path)
{
	const std::size_t slash = path.rfind('/');
	return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string list_date(std::time_t t)
{
	std::tm tm{};
	localtime_r(&t, &tm);
	char buf[32];
	std::strftime(buf, sizeof buf, "%b %e %H:%M", &tm);
	return buf;
}

std::string errno_text(int err)
{
	return std::strerror(err);
}

Sink to_fd(int fd, std::string name)
{
	return [fd, name = std::move(name)](std::span<const std::byte> data) { write_all(fd, data, name); };
}

} // namespace

std::optional<std::string> strip_suffix(const std::string &name, const std::string &user_suffix)
{
	if (auto m = find_suffix(name, user_suffix))
		return m->stem;
	return std::nullopt;
}

std::string ratio(std::uint64_t original, std::uint64_t compressed)
{
	const double o = static_cast<double>(original), c = static_cast<double>(compressed);
	const double saved = original == 0 ? 0.0 : 100.0 * (o - c) / o;
	char buf[32];
	std::snprintf(buf, sizeof buf, "%5.1f%%", saved);
	return buf;
}

void Reporter::report(const Problem &p)
{
	using S = Problem::Severity;
	const bool serious = p.severity == S::error || p.severity == S::fatal;
	if (serious || !quiet_ || p.shown_when_quiet)
		say(p.what());
	if (serious)
		status_.record(EXIT_ERROR);
	else if (p.severity == S::warning)
		status_.record(EXIT_WARNING);
}

struct Runner::Input {
	std::string path;    ///< the file opened; empty for standard input
	std::string display; ///< the name messages give it
	accel::Fd file;
	int fd = STDIN_FILENO;
	struct stat st {};
	[[nodiscard]] bool is_stdin() const noexcept { return path.empty(); }
};

Runner::Runner(const Options &options, Reporter &reporter)
	: opt_(options), reporter_(reporter), engine_(options.device, options.queues)
{
}

Runner::~Runner() = default;

DeflatePool &Runner::pool()
{
	if (!pool_) {
		std::size_t block = block_size;
		while (accel::deflate_bound(block) > engine_.max_transfer() && block > smallest_block)
			block /= 2;
		pool_.emplace(engine_.queues(), opt_.level, block);
	}
	return *pool_;
}

accel::Decompressor &Runner::inflater()
{
	if (!inflater_) {
		inflater_.emplace(engine_.queue());
		inflate_buffer_.resize(std::min<std::uint64_t>(inflate_output_size, engine_.max_transfer()));
	}
	return *inflater_;
}

void Runner::open_input(const std::string &arg, Input &in)
{
	if (arg == "-") {
		in.display = "stdin";
		if (::fstat(STDIN_FILENO, &in.st) != 0)
			throw error("stdin: " + errno_text(errno));
		return;
	}
	const bool replaces_input =
		!opt_.to_stdout && (opt_.mode == Mode::compress || opt_.mode == Mode::decompress);
	// As gzip: a symbolic link is followed only where its target stays,
	// or with -f; non-blocking so that opening a FIFO does not hang.
	const int flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC |
			  (replaces_input && !opt_.force ? O_NOFOLLOW : 0);
	std::string path = arg;
	int fd = ::open(path.c_str(), flags);
	int err = errno;
	if (fd < 0 && err == ENOENT && opt_.mode != Mode::compress) {
		// gzip -d foo finds foo.gz.
		for (const KnownSuffix &k : known_suffixes(opt_.suffix)) {
			path = arg + k.suffix;
			fd = ::open(path.c_str(), flags);
			err = errno;
			if (fd >= 0 || err != ENOENT)
				break;
		}
		if (fd < 0 && err == ENOENT)
			path = arg;
	}
	if (fd < 0)
		throw error(path + ": " + errno_text(err));
	in.file.reset(fd);
	in.fd = fd;
	in.path = in.display = path;
	if (::fstat(fd, &in.st) != 0)
		throw error(path + ": " + errno_text(errno));
	::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);

	if (S_ISDIR(in.st.st_mode))
		throw warning(path + " is a directory -- ignored");
	if (!replaces_input)
		return;
	if (!S_ISREG(in.st.st_mode))
		throw warning(path + " is not a directory or a regular file - ignored");
	if (opt_.force)
		return;
	if (in.st.st_mode & S_ISUID)
		throw warning(path + " is set-user-ID on execution - ignored");
	if (in.st.st_mode & S_ISGID)
		throw warning(path + " is set-group-ID on execution - ignored");
	if (in.st.st_mode & S_ISVTX)
		throw warning(path + " has the sticky bit set - file ignored");
	if (in.st.st_nlink > 1) {
		const auto others = in.st.st_nlink - 1;
		throw warning(path + " has " + std::to_string(others) + " other link" +
			      (others > 1 ? "s" : "") + " -- file ignored");
	}
}

void Runner::operand(const std::string &arg)
{
	Input in;
	open_input(arg, in);
	try {
		if (opt_.mode == Mode::compress)
			compress(in);
		else
			expand(in);
	} catch (const Problem &) {
		throw;
	} catch (const SystemError &e) {
		throw error(in.display + ": " + e.what());
	} catch (const accel::Error &e) {
		// The device failed, not the file: later files would fail alike.
		throw Problem(Problem::Severity::fatal, in.display + ": " + e.what());
	} catch (const std::bad_alloc &) {
		throw error(in.display + ": out of memory");
	}
}

// ---- compression ----

DeflateTotals Runner::compress_to(Input &in, int out_fd, const std::string &out_name)
{
	gz::Header h;
	h.extra_flags = gz::extra_flags_for_level(opt_.level);
	h.os = gz::os_unix;
	if (opt_.name.value_or(true)) {
		if (!in.is_stdin())
			h.name = base_name(in.path);
		// A pipe has no time of its own; a time the field cannot hold is
		// left out rather than stored wrong.
		const std::time_t t = in.st.st_mtime;
		if (S_ISREG(in.st.st_mode) && t > 0 && t <= std::numeric_limits<std::uint32_t>::max())
			h.mtime = static_cast<std::uint32_t>(t);
	}
	DeflatePool &deflater = pool(); // the device, before any output
	const Sink out = to_fd(out_fd, out_name);
	out(gz::encode_header(h));
	const DeflateTotals totals = deflater.compress(in.fd, out);
	out(gz::encode_trailer({.crc32 = totals.crc32, .size = gz::isize(totals.in)}));
	return totals;
}

void Runner::compress(Input &in)
{
	if (in.is_stdin() || opt_.to_stdout) {
		if (in.is_stdin() && !opt_.force && ::isatty(STDOUT_FILENO))
			throw error("compressed data not written to a terminal. Use -f to force compression.\n"
				    "For help, type: " +
				    std::string(program) + " -h");
		const DeflateTotals totals = compress_to(in, STDOUT_FILENO, "stdout");
		if (opt_.verbose)
			std::cerr << (in.is_stdin() ? std::string() : in.display + ":\t")
				  << ratio(totals.in, totals.out)
				  << (in.is_stdin() ? "" : " -- replaced with stdout") << std::endl;
		return;
	}
	if (!opt_.force) {
		if (auto m = find_suffix(in.path, opt_.suffix))
			throw Problem(Problem::Severity::note,
				      in.path + " already has " + m->suffix + " suffix -- unchanged");
	}
	const std::string out = in.path + opt_.suffix;
	refuse_existing(in, out);

	(void)pool(); // the device, before anything is created
	OutputFile file(out);
	const DeflateTotals totals = compress_to(in, file.fd(), out);
	file.commit(metadata_of(in.st), opt_.force);
	remove_input(in);
	if (opt_.verbose)
		std::cerr << in.display << ":\t" << ratio(totals.in, totals.out) << " -- "
			  << (opt_.keep ? "created " : "replaced with ") << out << std::endl;
}

void Runner::refuse_existing(const Input &in, const std::string &out)
{
	struct stat st;
	if (::lstat(out.c_str(), &st) != 0)
		return;
	if (st.st_dev == in.st.st_dev && st.st_ino == in.st.st_ino)
		throw error(out + ": is the input itself; not overwritten");
	if (!opt_.force)
		throw Problem(Problem::Severity::warning, out + " already exists; not overwritten", true);
}

void Runner::remove_input(Input &in)
{
	in.file.reset();
	if (!opt_.keep && ::unlink(in.path.c_str()) != 0)
		reporter_.report(warning(in.path + ": " + errno_text(errno)));
}

// ---- decompression, testing, listing ----

DecodeSummary Runner::decode_to(Input &in, InputWindow &window, const Sink &out)
{
	const bool to_stdout = opt_.mode == Mode::decompress && (in.is_stdin() || opt_.to_stdout);
	accel::Decompressor &stream = inflater();
	const DecodeTarget target{.buffer = inflate_buffer_,
				  .max_input = engine_.max_transfer(),
				  .out = out,
				  .copy_non_gzip = to_stdout && opt_.force};
	try {
		return decode(window, stream, target);
	} catch (const Problem &p) {
		throw Problem(p.severity, in.display + ": " + p.what(), p.shown_when_quiet);
	}
}

void Runner::warn_trailing(const Input &in, const DecodeSummary &s)
{
	const std::string from = " (from byte " + std::to_string(s.trailing_offset) + ")";
	if (s.trailing == Trailing::garbage)
		reporter_.report(warning(in.display + ": decompression OK, trailing garbage ignored" + from));
	else if (s.trailing == Trailing::zeros && opt_.verbose)
		reporter_.report(
			warning(in.display + ": decompression OK, trailing zero bytes ignored" + from));
}

void Runner::list_row(const Input &in, const DecodeSummary &s)
{
	if (!list_.header_printed && !opt_.quiet) {
		if (opt_.verbose)
			std::cout << "method  crc     date  time  ";
		std::cout << "         compressed        uncompressed  ratio uncompressed_name\n";
	}
	list_.header_printed = true;

	std::string name;
	const auto stored = opt_.name.value_or(false) && s.first_header && s.first_header->name
				    ? restorable_name(*s.first_header->name)
				    : std::nullopt;
	if (stored)
		name = (in.is_stdin() ? std::string() : directory_of(in.path)) + *stored;
	else if (in.is_stdin())
		name = "stdout"; // as gzip names it
	else
		name = strip_suffix(in.path, opt_.suffix).value_or(in.path);

	// gzip 1.12's ratio: of a single member, its DEFLATE data against
	// the original; of several members, the whole file.
	const std::uint64_t framing = s.members == 1 ? s.framing : 0;
	const std::uint64_t deflated = s.compressed - std::min(framing, s.compressed);
	char sizes[64];
	std::snprintf(sizes, sizeof sizes, "%19llu %19llu ", static_cast<unsigned long long>(s.compressed),
		      static_cast<unsigned long long>(s.uncompressed));
	if (opt_.verbose) {
		std::time_t t = s.first_header ? s.first_header->mtime : 0;
		if (t == 0 && !in.is_stdin())
			t = in.st.st_mtime;
		char crc[16];
		std::snprintf(crc, sizeof crc, "%08x", s.crc32);
		std::cout << "defla " << crc << ' ' << list_date(t) << ' ';
	}
	std::cout << sizes << ratio(s.uncompressed, deflated) << ' ' << name << '\n';

	list_.files++;
	list_.compressed += s.compressed;
	list_.uncompressed += s.uncompressed;
	list_.last_framing = framing;
}

void Runner::finish()
{
	if (opt_.mode != Mode::list || list_.files < 2 || opt_.quiet)
		return;
	char sizes[64];
	std::snprintf(sizes, sizeof sizes, "%19llu %19llu ",
		      static_cast<unsigned long long>(list_.compressed),
		      static_cast<unsigned long long>(list_.uncompressed));
	if (opt_.verbose)
		std::cout << std::string(28, ' ');
	// As gzip 1.12: the totals' ratio discounts the last file's header.
	const std::uint64_t deflated = list_.compressed - std::min(list_.last_framing, list_.compressed);
	std::cout << sizes << ratio(list_.uncompressed, deflated) << " (totals)\n";
}

void Runner::expand(Input &in)
{
	if (in.is_stdin() && !opt_.force && opt_.mode != Mode::list && ::isatty(STDIN_FILENO))
		throw error("compressed data not read from a terminal. Use -f to force decompression.\n"
			    "For help, type: " +
			    std::string(program) + " -h");
	InputWindow window(in.fd, inflate_input_size);

	if (opt_.mode == Mode::test) {
		const DecodeSummary s = decode_to(in, window, {});
		warn_trailing(in, s);
		if (opt_.verbose)
			std::cerr << (in.is_stdin() ? std::string() : in.display + ":\t") << " OK"
				  << std::endl;
		return;
	}
	if (opt_.mode == Mode::list) {
		const DecodeSummary s = decode_to(in, window, {});
		warn_trailing(in, s);
		list_row(in, s);
		return;
	}

	const auto deflated = [](const DecodeSummary &s) {
		return s.compressed > s.framing ? s.compressed - s.framing : 0;
	};
	if (in.is_stdin() || opt_.to_stdout) {
		const DecodeSummary s = decode_to(in, window, to_fd(STDOUT_FILENO, "stdout"));
		warn_trailing(in, s);
		if (opt_.verbose) {
			const std::string r = ratio(s.uncompressed, deflated(s));
			if (in.is_stdin())
				std::cerr << r << std::endl;
			else
				std::cerr << in.display << ":\t" << r << " -- replaced with stdout"
					  << std::endl;
		}
		return;
	}

	auto stem = strip_suffix(in.path, opt_.suffix);
	if (!stem)
		throw warning(in.path + ": unknown suffix -- ignored");
	std::string out = *stem;
	const bool restore = opt_.name.value_or(false);
	if (restore) {
		if (auto h = peek_header(window); h && h->name)
			if (auto n = restorable_name(*h->name))
				out = directory_of(in.path) + *n;
	}
	refuse_existing(in, out);

	(void)inflater(); // the device, before anything is created
	OutputFile file(out);
	const DecodeSummary s = decode_to(in, window, to_fd(file.fd(), out));
	Metadata meta = metadata_of(in.st);
	if (restore && s.first_header && s.first_header->mtime)
		meta.mtime = {.tv_sec = static_cast<std::time_t>(s.first_header->mtime), .tv_nsec = 0};
	file.commit(meta, opt_.force);
	remove_input(in);
	warn_trailing(in, s);
	if (opt_.verbose)
		std::cerr << in.display << ":\t" << ratio(s.uncompressed, deflated(s)) << " -- "
			  << (opt_.keep ? "created " : "replaced with ") << out << std::endl;
}

} // namespace accel_gzip
