//! The fields (lĩnh vực) that exist by default, named after the sections of
//! the district's annual review. Admins may add more; these codes are contract.

pub struct DefaultField {
    pub code: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
}

pub const DEFAULT_FIELDS: &[DefaultField] = &[
    DefaultField {
        code: "agriculture",
        name_vi: "Nông lâm nghiệp – nông thôn",
        name_en: "Agriculture, forestry and rural development",
    },
    DefaultField {
        code: "disaster",
        name_vi: "Phòng chống thiên tai – tìm kiếm cứu nạn",
        name_en: "Disaster prevention, search and rescue",
    },
    DefaultField {
        code: "water",
        name_vi: "Cấp nước sạch nông thôn",
        name_en: "Rural clean water",
    },
    DefaultField {
        code: "industry",
        name_vi: "Thu hút đầu tư – công nghiệp",
        name_en: "Investment and industry",
    },
    DefaultField {
        code: "trade",
        name_vi: "Thương mại – dịch vụ",
        name_en: "Trade and services",
    },
    DefaultField {
        code: "environment",
        name_vi: "Tài nguyên – môi trường",
        name_en: "Natural resources and environment",
    },
    DefaultField {
        code: "planning_construction",
        name_vi: "Quy hoạch, đô thị, xây dựng",
        name_en: "Planning, urban affairs and construction",
    },
    DefaultField {
        code: "finance",
        name_vi: "Tài chính – ngân sách",
        name_en: "Finance and budget",
    },
    DefaultField {
        code: "site_clearance",
        name_vi: "Bồi thường, giải phóng mặt bằng",
        name_en: "Compensation and site clearance",
    },
    DefaultField {
        code: "culture_society",
        name_vi: "Văn hóa – xã hội",
        name_en: "Culture and society",
    },
    DefaultField {
        code: "internal_affairs",
        name_vi: "Nội chính",
        name_en: "Internal affairs",
    },
    DefaultField {
        code: "administration",
        name_vi: "Chỉ đạo, điều hành",
        name_en: "Direction and administration",
    },
];
