#include "core/model/error.hpp"



namespace corelens {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::io: return "io";
    case ErrorCode::not_a_dump: return "not-a-dump";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::truncated: return "truncated";
    case ErrorCode::malformed: return "malformed";
    case ErrorCode::not_mapped: return "not-mapped";
    case ErrorCode::not_saved: return "not-saved";
    case ErrorCode::not_found: return "not-found";
    case ErrorCode::internal: return "internal";
    case ErrorCode::cancelled: return "cancelled";
    case ErrorCode::not_permitted: return "not-permitted";
    case ErrorCode::busy: return "busy";
  }
  return "unknown";
}

std::string Error::describe() const {
  return message;
}

}  // namespace corelens
