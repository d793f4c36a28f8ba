// SPDX-License-Identifier: MIT
// accelctl cdi: the spec (a pure function of the inventory) and the
// atomic write of its file.
#include "cdi.hpp"

#include <cerrno>
#include <fcntl.h>
#include <set>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include "accel/error.hpp"
#include "accel/fd.hpp"

namespace accelctl::cdi {
namespace {

using Json = nlohmann::ordered_json;

bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// CDI's rule for a device name (spec 0.5.0): letters, digits, '_', '-',
/// '.' and ':', beginning and ending with a letter or digit.
bool valid_device_name(std::string_view name)
{
	if (name.empty() || !is_alnum(name.front()) || !is_alnum(name.back()))
		return false;
	for (char c : name)
		if (!is_alnum(c) && c != '_' && c != '-' && c != '.' && c != ':')
			return false;
	return true;
}

void check_node(const HostNode &node, const std::string &whose)
{
	if (!node.path.starts_with('/'))
		throw std::invalid_argument(whose + ": device node path '" + node.path +
					    "' is not absolute");
	// Set-id and sticky bits mean other things to the runtimes' readers.
	if (node.mode > 0777)
		throw std::invalid_argument(whose + ": " + node.path + ": mode " +
					    std::to_string(node.mode) +
					    " has bits beyond the permission bits");
}

/// One entry of containerEdits.deviceNodes. "rw" is the device cgroup's
/// access: open, read and write, but no mknod in the container.
Json to_json(const HostNode &node)
{
	return Json{
		{"path", node.path},
		{"type", "c"},
		{"permissions", "rw"},
		{"fileMode", node.mode},
		{"uid", node.uid},
		{"gid", node.gid},
	};
}

/// The nodes a device needs, in order: its own, then for its mdevs the
/// VFIO container and each mdev's group.
std::vector<const HostNode *> nodes_of(const Device &dev, const Inventory &inventory)
{
	std::vector<const HostNode *> nodes{&dev.node};
	if (dev.mdevs.empty())
		return nodes;
	if (!inventory.vfio_container)
		throw std::invalid_argument(dev.name + " has mdevs, but there is no VFIO container "
						       "node (/dev/vfio/vfio) to give with them");
	nodes.push_back(&*inventory.vfio_container);
	for (const Mdev &mdev : dev.mdevs)
		nodes.push_back(&mdev.group);
	return nodes;
}

Json device_json(std::string_view name, const std::vector<const HostNode *> &nodes)
{
	Json list = Json::array();
	for (const HostNode *node : nodes)
		list.push_back(to_json(*node));
	return Json{{"name", name}, {"containerEdits", {{"deviceNodes", std::move(list)}}}};
}

} // namespace

Json build_spec(const Inventory &inventory)
{
	if (inventory.devices.empty())
		throw std::invalid_argument("no device to describe: a CDI spec needs at least one");
	if (inventory.vfio_container)
		check_node(*inventory.vfio_container, "the VFIO container");

	Json devices = Json::array();
	std::vector<const HostNode *> every_node;
	std::set<std::string, std::less<>> names, paths;
	for (const Device &dev : inventory.devices) {
		if (!valid_device_name(dev.name) || dev.name == all_devices)
			throw std::invalid_argument("'" + dev.name +
						    "' cannot name a CDI device (letters, digits, "
						    "'_', '-', '.', ':', from a letter or digit to "
						    "one; not '" +
						    std::string(all_devices) + "')");
		if (!names.insert(dev.name).second)
			throw std::invalid_argument("device " + dev.name + " is given twice");
		check_node(dev.node, dev.name);
		for (const Mdev &mdev : dev.mdevs)
			check_node(mdev.group, "mdev " + mdev.uuid + " of " + dev.name);

		const auto nodes = nodes_of(dev, inventory);
		devices.push_back(device_json(dev.name, nodes));
		// Two devices may share a node (/dev/vfio/vfio); "all" has it once.
		for (const HostNode *node : nodes)
			if (paths.insert(node->path).second)
				every_node.push_back(node);
	}
	devices.push_back(device_json(all_devices, every_node));

	return Json{
		{"cdiVersion", spec_version},
		{"kind", kind},
		{"devices", std::move(devices)},
	};
}

namespace {

/// accel::Error for a failed file call, with a hint where the errno has
/// an obvious cause (explain_errno's are about devices, not files).
accel::Error file_error(int err, const std::string &what, const std::filesystem::path &dir)
{
	if (err == EACCES || err == EPERM)
		return accel::Error(err, what,
				    "writing into " + dir.string() +
					    " needs root (or choose another file with --output, "
					    "or - for standard output)");
	return accel::Error(err, what, "");
}

/// Unlinks the temporary file unless it was renamed into place.
class TempFile {
public:
	explicit TempFile(std::string path) : path_(std::move(path)) {}
	TempFile(const TempFile &) = delete;
	TempFile &operator=(const TempFile &) = delete;
	~TempFile()
	{
		if (!path_.empty())
			::unlink(path_.c_str());
	}
	void keep() noexcept { path_.clear(); }

private:
	std::string path_;
};

} // namespace

void write_file_atomically(const std::filesystem::path &path, std::string_view text,
			   std::uint32_t mode)
{
	const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
	if (path.filename().empty())
		throw accel::Error(EISDIR, "write " + path.string(), "the output names a directory");
	// The rename would replace whatever is there: as root, --output
	// /dev/null would turn the node into a file.
	if (struct stat st {}; ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
		throw accel::Error(EEXIST, "write " + path.string(),
				   "it exists and is not a regular file (use - for standard output)");
	if (::mkdir(dir.c_str(), 0755) == 0) {
		// Readers that are not root must be able to list it, whatever
		// the umask.
		if (::chmod(dir.c_str(), 0755) != 0)
			throw file_error(errno, "chmod " + dir.string(), dir);
	} else if (errno != EEXIST) {
		throw file_error(errno, "mkdir " + dir.string(), dir);
	}

	// A dot file without a .json or .yaml end: CDI's readers watch the
	// directory and load *.json and *.yaml only.
	std::string tmp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
	accel::Fd fd(::mkostemp(tmp.data(), O_CLOEXEC));
	if (!fd)
		throw file_error(errno, "create a temporary file beside " + path.string(), dir);
	TempFile cleanup(tmp);

	for (std::string_view rest = text; !rest.empty();) {
		const ssize_t n = ::write(fd.get(), rest.data(), rest.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			throw file_error(errno, "write " + tmp, dir);
		rest.remove_prefix(static_cast<std::size_t>(n));
	}
	// mkostemp() creates the file 0600; the mode is set whatever the umask.
	if (::fchmod(fd.get(), mode) != 0)
		throw file_error(errno, "fchmod " + tmp, dir);
	if (::fsync(fd.get()) != 0)
		throw file_error(errno, "fsync " + tmp, dir);
	if (::close(fd.release()) != 0)
		throw file_error(errno, "close " + tmp, dir);
	if (::rename(tmp.c_str(), path.c_str()) != 0)
		throw file_error(errno, "rename " + tmp + " to " + path.string(), dir);
	cleanup.keep();

	// The rename reaches the disk with the directory; a failure here
	// leaves the new file in place, so it is not reported.
	if (accel::Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); d)
		(void)::fsync(d.get());
}

} // namespace accelctl::cdi
