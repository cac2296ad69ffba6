// The photo the demo's staff attach to their evidence: one small PNG, stored by `serve
// --demo` in the attachment store (DATA/attachments) so the console shows it, and cited by
// every demo `submit_evidence` as "sha256:<hex>" like an uploaded file.
#pragma once

#include <string>
#include <string_view>

namespace closeloop::demo {

std::string_view DemoPhoto();
// "sha256:" and the photo's SHA-256 in hex: what a command's evidence carries.
std::string DemoPhotoRef();

}  // namespace closeloop::demo
