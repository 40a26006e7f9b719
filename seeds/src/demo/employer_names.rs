//! Realistic employer names: 上海<字号><行业词>有限公司 and the variants of public bodies,
//! foreign-invested firms and individual businesses.

use rand::Rng;
use rand::rngs::StdRng;

use super::districts::{full_name, short_name};
use super::employers::Employer;
use super::random::{chance, pick_str};

const TRADE_NAME_FIRST: [&str; 30] = [
    "申", "沪", "浦", "华", "锦", "汇", "鼎", "瑞", "嘉", "宏", "博", "晨", "恒", "泰", "新", "盛", "星", "达", "亿", "联", "润", "海",
    "融", "卓", "创", "智", "信", "德", "凯", "宇",
];
const TRADE_NAME_SECOND: [&str; 30] = [
    "通", "达", "诚", "元", "科", "源", "邦", "远", "泰", "辉", "安", "和", "丰", "盛", "越", "腾", "信", "宁", "晟", "铭", "汇", "祥",
    "隆", "航", "弘", "润", "峰", "捷", "衡", "策",
];
const FOREIGN_BRANDS: [&str; 12] = [
    "艾德蒙",
    "博世通",
    "安联达",
    "霍尼斯",
    "施耐德曼",
    "巴斯顿",
    "丰田纳",
    "三井泰",
    "新加坡华利",
    "香港恒隆达",
    "台湾正新",
    "澳门信德",
];

/// Words that say what a firm of this GB/T 4754 division does.
fn trade_words(industry: &str) -> &'static [&'static str] {
    match industry {
        "65" => &["信息技术", "软件科技", "网络科技", "数据科技"],
        "64" => &["网络科技", "互联网科技", "信息服务"],
        "63" => &["通信技术", "信息网络"],
        "72" => &["企业管理咨询", "商务咨询", "人力资源", "会展服务", "物业管理"],
        "51" => &["贸易", "国际贸易", "进出口", "供应链管理"],
        "52" => &["商贸", "便利店", "超市", "百货"],
        "36" => &["汽车零部件", "汽车科技", "汽车配件"],
        "39" => &["电子科技", "微电子", "通信设备", "半导体"],
        "54" => &["物流", "运输", "客运"],
        "58" => &["国际货运代理", "物流"],
        "59" => &["仓储", "供应链"],
        "62" => &["餐饮管理", "餐饮", "食品"],
        "61" => &["酒店管理", "宾馆"],
        "47" | "48" | "49" | "50" => &["建设工程", "建筑工程", "装饰工程", "机电安装工程"],
        "70" => &["房地产开发", "置业", "物业"],
        "73" => &["生物科技", "新材料科技", "科技研发"],
        "74" => &["工程设计", "检测技术", "规划设计"],
        "75" => &["科技发展", "技术服务"],
        "83" => &["教育科技", "职业技能培训"],
        "84" => &["医疗科技", "健康管理"],
        "34" | "35" => &["机械", "机电设备", "自动化设备"],
        "38" => &["电气", "电器"],
        "26" | "28" | "29" => &["化工", "新材料", "塑料制品"],
        "27" => &["医药", "生物医药"],
        "66" | "67" | "69" => &["投资管理", "金融信息服务", "资产管理"],
        "68" => &["保险代理", "保险经纪"],
        "80" | "81" | "82" => &["家政服务", "保洁服务", "维修服务", "美容美发"],
        "13" | "14" => &["食品", "食品科技"],
        "17" | "18" => &["服饰", "纺织"],
        "86" | "87" | "88" | "90" => &["文化传播", "文化传媒", "影视"],
        _ => &["实业", "科技", "发展"],
    }
}

/// A two-character 字号 such as `申通`, `瑞达`.
pub(crate) fn trade_name(rng: &mut StdRng) -> String {
    format!("{}{}", pick_str(rng, &TRADE_NAME_FIRST), pick_str(rng, &TRADE_NAME_SECOND))
}

/// A name for an employer of this type, industry and district.
pub(crate) fn employer_name(rng: &mut StdRng, employer_type: &str, industry: &str, district: &str) -> String {
    let district_name = short_name(district);
    let district_full = full_name(district);
    let words = trade_words(industry);
    let word = pick_str(rng, words);
    match employer_type {
        "01" => format!("上海市{district_full}{}", pick_str(rng, &PUBLIC_OFFICES)),
        "02" => match industry {
            "84" => format!("上海市{district_full}第{}人民医院", rng.random_range(1..=9u32)),
            "83" => format!("上海市{district_full}{}{}", trade_name(rng), pick_str(rng, &SCHOOLS)),
            _ => format!("上海市{district_full}{}研究所", trade_name(rng)),
        },
        "10" => format!("上海市{district_full}{}{}", trade_name(rng), pick_str(rng, &SHOPS)),
        "11" => format!("上海市{}{}协会", trade_name(rng), pick_str(rng, words)),
        "03" => format!("上海{}{word}（集团）有限公司", trade_name(rng)),
        "07" => format!("上海{}{word}股份有限公司", trade_name(rng)),
        "08" | "09" => format!("{}（上海）{word}有限公司", pick_str(rng, &FOREIGN_BRANDS)),
        _ => {
            if chance(rng, 0.2) {
                format!("上海{district_name}{}{word}有限公司", trade_name(rng))
            } else {
                format!("上海{}{word}有限公司", trade_name(rng))
            }
        }
    }
}

const PUBLIC_OFFICES: [&str; 5] = ["市场监督管理局", "城市管理行政执法局", "民政局", "财政局", "卫生健康委员会"];
const SCHOOLS: [&str; 3] = ["中学", "小学", "职业技术学校"];
const SHOPS: [&str; 5] = ["小吃店", "便利店", "五金店", "美发店", "水果店"];

/// A plausible earlier name of the same employer (for an older registry version).
pub(crate) fn renamed(rng: &mut StdRng, current: &Employer) -> String {
    if let Some(stripped) = current.name.strip_suffix("股份有限公司") {
        return format!("{stripped}有限公司");
    }
    if current.name.contains("（集团）") {
        return current.name.replace("（集团）", "");
    }
    let words = trade_words(current.industry);
    format!("上海{}{}有限公司", trade_name(rng), pick_str(rng, words))
}
