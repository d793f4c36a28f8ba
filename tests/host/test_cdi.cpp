// SPDX-License-Identifier: MIT
// accelctl cdi generate: the CDI spec built from a description of the
// devices, and the atomic write of its file.
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "accel/error.hpp"
#include "cdi.hpp"

namespace {

namespace cdi = accelctl::cdi;
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

const cdi::HostNode accel0{"/dev/accel0", 0660, 0, 987};
const cdi::HostNode accel1{"/dev/accel1", 0660, 0, 987};
const cdi::HostNode vfio{"/dev/vfio/vfio", 0666, 0, 0};

cdi::HostNode group(const std::string &n)
{
	return {"/dev/vfio/" + n, 0600, 0, 0};
}

Json node_json(const cdi::HostNode &n)
{
	return Json{{"path", n.path}, {"type", "c"}, {"permissions", "rw"},
		    {"fileMode", n.mode}, {"uid", n.uid}, {"gid", n.gid}};
}

/// The paths of one CDI device's deviceNodes, in order.
std::vector<std::string> paths_of(const Json &spec, const std::string &device)
{
	for (const Json &dev : spec["devices"])
		if (dev["name"] == device) {
			std::vector<std::string> paths;
			for (const Json &node : dev["containerEdits"]["deviceNodes"])
				paths.push_back(node["path"]);
			return paths;
		}
	BOOST_FAIL("no CDI device " + device);
	return {};
}

/// build_spec() must refuse @p inventory with a message holding @p words.
void refused(const cdi::Inventory &inventory, const std::string &words)
{
	try {
		(void)cdi::build_spec(inventory);
		BOOST_ERROR("accepted an inventory it should refuse (" + words + ")");
	} catch (const std::invalid_argument &e) {
		BOOST_TEST(std::string(e.what()).find(words) != std::string::npos,
			   "'" << e.what() << "' should say '" << words << "'");
	}
}

/// A fresh directory under the system's temporary one, removed at the end.
struct TempDir {
	TempDir()
	{
		std::string tmpl = (fs::temp_directory_path() / "accelfd-cdi-test.XXXXXX").string();
		BOOST_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
		path = tmpl;
	}
	~TempDir()
	{
		std::error_code ignored;
		fs::remove_all(path, ignored);
	}
	fs::path path;
};

std::string read(const fs::path &p)
{
	std::ifstream in(p);
	std::stringstream s;
	s << in.rdbuf();
	return s.str();
}

std::vector<std::string> entries(const fs::path &dir)
{
	std::vector<std::string> names;
	for (const auto &e : fs::directory_iterator(dir))
		names.push_back(e.path().filename().string());
	std::ranges::sort(names);
	return names;
}

} // namespace

BOOST_AUTO_TEST_SUITE(cdi_spec)

BOOST_AUTO_TEST_CASE(one_device_gives_its_node_and_all_with_the_header_podman_43_reads)
{
	const Json spec = cdi::build_spec({{{"accel0", accel0, {}}}, std::nullopt});
	const Json want = Json::parse(R"({
		"cdiVersion": "0.5.0",
		"kind": "accelfd.dev/accel",
		"devices": [
			{"name": "accel0", "containerEdits": {"deviceNodes": [
				{"path": "/dev/accel0", "type": "c", "permissions": "rw",
				 "fileMode": 432, "uid": 0, "gid": 987}]}},
			{"name": "all", "containerEdits": {"deviceNodes": [
				{"path": "/dev/accel0", "type": "c", "permissions": "rw",
				 "fileMode": 432, "uid": 0, "gid": 987}]}}
		]})");
	BOOST_TEST(spec == want, spec.dump(2));
	// Keys in the order written (ordered_json compares order too).
	BOOST_TEST(spec.begin().key() == "cdiVersion");
}

BOOST_AUTO_TEST_CASE(no_major_or_minor_is_written_so_the_runtime_reads_the_host_node)
{
	const Json spec = cdi::build_spec({{{"accel0", accel0, {}}}, std::nullopt});
	const Json &node = spec["devices"][0]["containerEdits"]["deviceNodes"][0];
	BOOST_TEST(!node.contains("major"));
	BOOST_TEST(!node.contains("minor"));
	BOOST_TEST(!node.contains("hostPath")); // a 0.5.0 field; the path is the same
}

BOOST_AUTO_TEST_CASE(devices_keep_the_order_given_and_all_comes_last)
{
	const cdi::HostNode accel10{"/dev/accel10", 0660, 0, 987};
	const Json spec = cdi::build_spec(
		{{{"accel0", accel0, {}}, {"accel1", accel1, {}}, {"accel10", accel10, {}}},
		 std::nullopt});
	std::vector<std::string> names;
	for (const Json &dev : spec["devices"])
		names.push_back(dev["name"]);
	BOOST_TEST((names == std::vector<std::string>{"accel0", "accel1", "accel10", "all"}));
	BOOST_TEST((paths_of(spec, "all") ==
		    std::vector<std::string>{"/dev/accel0", "/dev/accel1", "/dev/accel10"}));
}

BOOST_AUTO_TEST_CASE(an_mdev_adds_the_vfio_container_and_its_group_to_its_parent_only)
{
	const Json spec = cdi::build_spec(
		{{{"accel0", accel0, {{"0c7a3f0e-1111-4d2e-9a55-000000000001", group("3")}}},
		  {"accel1", accel1, {}}},
		 vfio});
	BOOST_TEST((paths_of(spec, "accel0") ==
		    std::vector<std::string>{"/dev/accel0", "/dev/vfio/vfio", "/dev/vfio/3"}));
	BOOST_TEST((paths_of(spec, "accel1") == std::vector<std::string>{"/dev/accel1"}));
	BOOST_TEST(spec["devices"][0]["containerEdits"]["deviceNodes"][2] == node_json(group("3")));
	BOOST_TEST(spec["devices"][0]["containerEdits"]["deviceNodes"][1] == node_json(vfio));
}

BOOST_AUTO_TEST_CASE(all_has_every_node_once_even_the_shared_vfio_container)
{
	const Json spec = cdi::build_spec(
		{{{"accel0", accel0, {{"u1", group("3")}, {"u2", group("4")}}},
		  {"accel1", accel1, {{"u3", group("7")}}}},
		 vfio});
	BOOST_TEST((paths_of(spec, "accel0") ==
		    std::vector<std::string>{"/dev/accel0", "/dev/vfio/vfio", "/dev/vfio/3",
					     "/dev/vfio/4"}));
	BOOST_TEST((paths_of(spec, "accel1") ==
		    std::vector<std::string>{"/dev/accel1", "/dev/vfio/vfio", "/dev/vfio/7"}));
	BOOST_TEST((paths_of(spec, "all") ==
		    std::vector<std::string>{"/dev/accel0", "/dev/vfio/vfio", "/dev/vfio/3",
					     "/dev/vfio/4", "/dev/accel1", "/dev/vfio/7"}));
}

BOOST_AUTO_TEST_CASE(the_vfio_container_is_left_out_while_no_device_has_an_mdev)
{
	const Json spec = cdi::build_spec({{{"accel0", accel0, {}}}, vfio});
	BOOST_TEST((paths_of(spec, "all") == std::vector<std::string>{"/dev/accel0"}));
}

BOOST_AUTO_TEST_CASE(host_permissions_owner_and_group_are_carried_over)
{
	const cdi::HostNode node0{"/dev/accel0", 0640, 12, 34};
	const Json spec = cdi::build_spec({{{"accel0", node0, {}}}, std::nullopt});
	const Json &node = spec["devices"][0]["containerEdits"]["deviceNodes"][0];
	BOOST_TEST(node["fileMode"] == 0640);
	BOOST_TEST(node["uid"] == 12);
	BOOST_TEST(node["gid"] == 34);
}

BOOST_AUTO_TEST_CASE(inventories_that_cannot_make_a_valid_spec_are_refused_with_the_reason)
{
	refused({{}, std::nullopt}, "no device to describe");
	refused({{{"all", accel0, {}}}, std::nullopt}, "'all' cannot name a CDI device");
	refused({{{"accel 0", accel0, {}}}, std::nullopt}, "'accel 0' cannot name a CDI device");
	refused({{{"-accel0", accel0, {}}}, std::nullopt}, "cannot name a CDI device");
	refused({{{"", accel0, {}}}, std::nullopt}, "cannot name a CDI device");
	refused({{{"accel0", accel0, {}}, {"accel0", accel1, {}}}, std::nullopt},
		"device accel0 is given twice");
	refused({{{"accel0", {"dev/accel0", 0660, 0, 0}, {}}}, std::nullopt},
		"accel0: device node path 'dev/accel0' is not absolute");
	refused({{{"accel0", {"/dev/accel0", 0100660, 0, 0}, {}}}, std::nullopt},
		"has bits beyond the permission bits");
	refused({{{"accel0", {"/dev/accel0", 02660, 0, 0}, {}}}, std::nullopt},
		"has bits beyond the permission bits");
	refused({{{"accel0", accel0, {{"u1", group("3")}}}}, std::nullopt},
		"accel0 has mdevs, but there is no VFIO container node (/dev/vfio/vfio)");
	refused({{{"accel0", accel0, {{"u1", {"vfio/3", 0600, 0, 0}}}}}, vfio},
		"mdev u1 of accel0: device node path 'vfio/3' is not absolute");
}

BOOST_AUTO_TEST_CASE(the_default_output_is_the_generated_specs_directory)
{
	BOOST_TEST(cdi::default_output == "/var/run/cdi/accelfd.dev-accel.json");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cdi_file)

BOOST_AUTO_TEST_CASE(the_file_is_written_whole_with_mode_0644_whatever_the_umask)
{
	TempDir dir;
	const fs::path file = dir.path / "accelfd.dev-accel.json";
	const mode_t old = ::umask(077);
	cdi::write_file_atomically(file, "{\"a\": 1}\n");
	::umask(old);
	BOOST_TEST(read(file) == "{\"a\": 1}\n");
	struct stat st {};
	BOOST_REQUIRE(::stat(file.c_str(), &st) == 0);
	BOOST_TEST((st.st_mode & 07777) == 0644u);
	BOOST_TEST((entries(dir.path) == std::vector<std::string>{"accelfd.dev-accel.json"}));
}

BOOST_AUTO_TEST_CASE(an_existing_file_is_replaced_by_a_rename_not_rewritten)
{
	TempDir dir;
	const fs::path file = dir.path / "spec.json";
	cdi::write_file_atomically(file, "old\n");
	struct stat before {};
	BOOST_REQUIRE(::stat(file.c_str(), &before) == 0);
	// A reader holding the old file keeps reading the old bytes.
	std::ifstream reader(file);
	cdi::write_file_atomically(file, "new and longer\n");
	struct stat after {};
	BOOST_REQUIRE(::stat(file.c_str(), &after) == 0);
	BOOST_TEST(before.st_ino != after.st_ino);
	std::string old_text;
	std::getline(reader, old_text);
	BOOST_TEST(old_text == "old");
	BOOST_TEST(read(file) == "new and longer\n");
	BOOST_TEST((entries(dir.path) == std::vector<std::string>{"spec.json"}));
}

BOOST_AUTO_TEST_CASE(a_missing_directory_is_created_0755_whatever_the_umask)
{
	TempDir dir;
	const fs::path file = dir.path / "cdi" / "spec.json";
	const mode_t old = ::umask(077);
	cdi::write_file_atomically(file, "x\n");
	::umask(old);
	BOOST_TEST(read(file) == "x\n");
	struct stat st {};
	BOOST_REQUIRE(::stat((dir.path / "cdi").c_str(), &st) == 0);
	BOOST_TEST(S_ISDIR(st.st_mode));
	BOOST_TEST((st.st_mode & 07777) == 0755u);
}

// As root, a rename over /dev/null would replace the node with a file.
BOOST_AUTO_TEST_CASE(a_target_that_is_not_a_regular_file_is_left_alone)
{
	TempDir dir;
	const fs::path fifo = dir.path / "fifo";
	BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
	fs::create_symlink(fifo, dir.path / "link");
	for (const fs::path &target : {fifo, dir.path / "link"}) {
		try {
			cdi::write_file_atomically(target, "x\n");
			BOOST_FAIL("writing over a FIFO must throw");
		} catch (const accel::Error &e) {
			BOOST_TEST(e.code().value() == EEXIST);
			BOOST_TEST(std::string(e.what()).find("is not a regular file") != std::string::npos,
				   e.what());
		}
	}
	BOOST_TEST(fs::is_fifo(fs::symlink_status(fifo)));
	BOOST_TEST(fs::is_symlink(fs::symlink_status(dir.path / "link")));
	BOOST_TEST((entries(dir.path) == std::vector<std::string>{"fifo", "link"}));
}

BOOST_AUTO_TEST_CASE(a_failed_write_names_the_call_and_the_path_and_leaves_nothing)
{
	TempDir dir;
	const fs::path file = dir.path / "no" / "such" / "spec.json";
	try {
		cdi::write_file_atomically(file, "x\n");
		BOOST_FAIL("writing under a missing directory must throw");
	} catch (const accel::Error &e) {
		BOOST_TEST(e.code().value() == ENOENT);
		BOOST_TEST(std::string(e.what()) == "mkdir " + (dir.path / "no" / "such").string() +
							    ": No such file or directory (ENOENT)");
	}
	BOOST_TEST(entries(dir.path).empty());

	// The target is a directory: refused before a temporary is made.
	fs::create_directory(dir.path / "taken.json");
	try {
		cdi::write_file_atomically(dir.path / "taken.json", "x\n");
		BOOST_FAIL("writing over a directory must throw");
	} catch (const accel::Error &e) {
		BOOST_TEST(e.code().value() == EEXIST);
		BOOST_TEST(std::string(e.what()) == "write " + (dir.path / "taken.json").string() +
							    ": File exists (EEXIST); it exists and is not a "
							    "regular file (use - for standard output)");
	}
	BOOST_TEST((entries(dir.path) == std::vector<std::string>{"taken.json"}));
}

BOOST_AUTO_TEST_SUITE_END()
