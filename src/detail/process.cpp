#include "detail/process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include "servicechain/error.hpp"

extern char** environ;  // NOLINT: POSIX, passed on to the child process

namespace servicechain::detail {

std::optional<std::filesystem::path> find_program(std::string_view name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::string_view rest(path);
  while (true) {
    const auto colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : std::string(dir)) / name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

temp_file::temp_file(std::string_view suffix) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) dir = "/tmp";
  std::string pattern = (dir / "servicechain-XXXXXX").string() + std::string(suffix);
  const int fd = ::mkstemps(pattern.data(), static_cast<int>(suffix.size()));
  if (fd < 0) {
    throw io_error(fmt::format("cannot create a temporary file in '{}': {}", dir.string(), std::strerror(errno)));
  }
  ::close(fd);
  path_ = pattern;
}

temp_file::~temp_file() {
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

std::string read_text(const std::filesystem::path& file, std::size_t limit) {
  std::ifstream in(file, std::ios::binary);
  std::string text(std::istreambuf_iterator<char>(in), {});
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void write_text(const std::filesystem::path& file, std::string_view text) {
  std::ofstream f(file, std::ios::binary);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!f.flush()) throw io_error(fmt::format("cannot write the file '{}'", file.string()));
}

process_outcome run_program(const std::filesystem::path& program, const std::vector<std::string>& args,
                            std::string_view label) {
  const temp_file messages(".log");
  // posix_spawn, not std::system: no shell, so no quoting of paths, and the error output
  // of the program is captured for the message.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, messages.path().c_str(), O_WRONLY | O_TRUNC, 0);
  std::vector<std::string> owned;
  owned.reserve(args.size() + 1);
  owned.push_back(program.filename().string());
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw io_error(fmt::format("cannot run {} ('{}'): {}", label, program.string(), std::strerror(spawned)));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw io_error(fmt::format("waiting for {} failed: {}", label, std::strerror(errno)));
  }
  process_outcome out;
  out.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!out.ok) {
    out.how = WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                : fmt::format("killed by signal {}", WTERMSIG(status));
    out.errors = read_text(messages.path(), 2000);
  }
  return out;
}

}  // namespace servicechain::detail
