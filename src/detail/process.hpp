#pragma once
// Internal: running an external renderer (Graphviz `dot`, gnuplot) as a child process,
// without a shell, with temporary files for its input and its error output.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace servicechain::detail {

/// The first executable regular file called `name` along PATH, as a shell would find it.
std::optional<std::filesystem::path> find_program(std::string_view name);

/// A temporary file (created empty, with the given suffix) removed when it goes out of scope.
/// @throws servicechain::io_error if it cannot be created.
class temp_file {
 public:
  explicit temp_file(std::string_view suffix);
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file();
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

/// At most `limit` characters of a text file (with "..." when cut), trailing blanks removed.
std::string read_text(const std::filesystem::path& file, std::size_t limit);

/// Writes `text` to `file`. @throws servicechain::io_error naming the file.
void write_text(const std::filesystem::path& file, std::string_view text);

/// How a child process ended.
struct process_outcome {
  bool ok = false;       ///< exited with status 0
  std::string how{};     ///< "exit status N" or "killed by signal N" when not ok
  std::string errors{};  ///< its standard error (first 2000 characters)
};

/// Runs `program` with `args` (argv[1], …): no shell, stdin and stdout from/to /dev/null,
/// its standard error captured. `label` names it in messages, e.g. "Graphviz 'dot'".
/// @throws servicechain::io_error if it cannot be started or waited for.
process_outcome run_program(const std::filesystem::path& program, const std::vector<std::string>& args,
                            std::string_view label);

}  // namespace servicechain::detail
