// MetalDevice: the Device interface on Apple's Metal (macOS only; elsewhere
// createMetalDevice reports that Metal needs macOS).
#include "../device.h"

namespace mlxts {

std::unique_ptr<Device> createMetalDevice(std::string* error) {
  *error = "Metal needs macOS";
  return nullptr;
}

}  // namespace mlxts
