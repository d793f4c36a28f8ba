// SPDX-License-Identifier: MIT
// accel-gzip: gzip's command line, with DEFLATE on an accelfd device.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "runner.hpp"

namespace {

using namespace accel_gzip;

constexpr const char *footer =
	"With no FILE, or when FILE is -, read standard input.\n"
	"Invoked as accel-gunzip it decompresses, as accel-zcat it decompresses to standard output.\n"
	"Exit status: 0 success, 1 an error, 2 a warning (a file skipped, trailing garbage).";

/// The flags that override each other, resolved in command-line order as
/// gzip does: the last level, the last of -n/-N and of -q/-v win.
struct Ordered {
	CLI::Option *level[10] = {};
	CLI::Option *fast = nullptr, *best = nullptr;
	CLI::Option *name = nullptr, *no_name = nullptr;
	CLI::Option *quiet = nullptr, *verbose = nullptr;
};

void resolve_order(const CLI::App &app, const Ordered &o, Options &opt)
{
	for (const CLI::Option *given : app.parse_order()) {
		for (unsigned l = 1; l <= 9; l++)
			if (given == o.level[l])
				opt.level = l;
		if (given == o.fast)
			opt.level = 1;
		else if (given == o.best)
			opt.level = 9;
		else if (given == o.name)
			opt.name = true;
		else if (given == o.no_name)
			opt.name = false;
		else if (given == o.quiet || given == o.verbose) {
			opt.quiet = given == o.quiet;
			opt.verbose = given == o.verbose;
		}
	}
}

/// Opens /dev/null on any of descriptors 0 to 2 that is closed: an output
/// file must never get one of them, or messages would land in it.
void keep_standard_descriptors() noexcept
{
	for (int fd = 0; fd <= 2; fd++) {
		if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (::open("/dev/null", O_RDWR) != fd)
			std::_Exit(EXIT_ERROR);
	}
}

std::string invoked_as(const char *argv0)
{
	const std::string s = argv0 ? argv0 : "";
	const std::size_t slash = s.rfind('/');
	return slash == std::string::npos ? s : s.substr(slash + 1);
}

} // namespace

int main(int argc, char **argv)
{
	keep_standard_descriptors();
	const std::string name = invoked_as(argc > 0 ? argv[0] : nullptr);
	CLI::App app{"accel-gzip: compress or expand files as gzip does, with DEFLATE on an accelfd device",
		     name.empty() ? program : name};
	app.footer(footer);
	Options opt;
	Ordered order;
	bool decompress = false, test = false, list = false;
	std::vector<std::string> files;

	app.add_flag("-c,--stdout,--to-stdout", opt.to_stdout,
		     "Write on standard output; keep the input files");
	app.add_flag("-d,--decompress,--uncompress", decompress, "Decompress");
	app.add_flag("-f,--force", opt.force,
		     "Overwrite outputs; compress links, files with a suffix, to a terminal");
	app.add_flag("-k,--keep", opt.keep, "Keep (do not delete) the input files");
	app.add_flag("-l,--list", list, "List the compressed files' sizes, ratio and name");
	// Flags whose order matters are read from parse_order(), not from a variable.
	order.no_name = app.add_flag("-n,--no-name")->description(
		"Compressing: store no name or time; decompressing: restore none (the default)");
	order.name = app.add_flag("-N,--name")->description(
		"Compressing: store the name and time (the default); decompressing: restore them");
	order.quiet = app.add_flag("-q,--quiet")->description("Suppress all warnings");
	app.add_option("-S,--suffix", opt.suffix, "Use this suffix instead of .gz");
	app.add_flag("-t,--test", test, "Test the compressed files' integrity");
	order.verbose = app.add_flag("-v,--verbose")->description("Report each file's name and ratio");
	for (unsigned l = 1; l <= 9; l++) {
		const std::string what = l == 1 ? "Compress faster (also --fast)"
				       : l == 9 ? "Compress better (also --best)"
						: "Compression level " + std::to_string(l);
		// -2 to -8 work but stay out of --help, as in gzip's.
		order.level[l] = app.add_flag("-" + std::to_string(l))->description(what)->group(
			l == 1 || l == 9 ? "Options" : "");
	}
	order.fast = app.add_flag("--fast")->description("Same as -1")->group("");
	order.best = app.add_flag("--best")->description("Same as -9")->group("");
	app.add_option("--device", opt.device, "The accelfd device's index (/dev/accelN), default 0")
		->check(CLI::NonNegativeNumber);
	app.add_option("--queues", opt.queues,
		       "Queues (and threads) to compress on; default one per engine of the device")
		->check(CLI::Range(1u, 64u));
	app.add_option("files", files, "Files to process");
	app.set_version_flag("-V,--version", std::string(program) + " " ACCEL_GZIP_VERSION);

	try {
		app.parse(argc, argv);
	} catch (const CLI::CallForHelp &e) {
		return app.exit(e);
	} catch (const CLI::CallForVersion &e) {
		return app.exit(e);
	} catch (const CLI::ParseError &e) {
		app.exit(e);
		return EXIT_ERROR; // as gzip's usage errors
	}
	resolve_order(app, order, opt);

	if (name.find("gunzip") != std::string::npos)
		decompress = true;
	if (name.find("zcat") != std::string::npos)
		decompress = opt.to_stdout = true;
	opt.mode = list ? Mode::list : test ? Mode::test : decompress ? Mode::decompress : Mode::compress;

	if (opt.suffix.empty() || opt.suffix.find('/') != std::string::npos) {
		say("invalid suffix '" + opt.suffix + "'");
		return EXIT_ERROR;
	}
	if (files.empty())
		files.emplace_back("-");

	install_signal_cleanup();
	Reporter reporter(opt.quiet);
	{
		Runner runner(opt, reporter);
		for (const std::string &file : files) {
			try {
				runner.operand(file);
			} catch (const Problem &p) {
				reporter.report(p);
				if (p.severity == Problem::Severity::fatal)
					break;
			}
		}
		try {
			runner.finish();
		} catch (const std::exception &e) {
			reporter.report(error(e.what()));
		}
	}
	if (std::fflush(stdout) != 0 || !std::cout.flush())
		reporter.report(error(std::string("stdout: write error: ") + std::strerror(errno)));
	return reporter.code();
}
